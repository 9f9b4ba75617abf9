#pragma once
// ReadNsInode: the inode number of a process's namespace, as the kernel reports it (stat of
// /proc/PID/ns/NAME, what lsns and `readlink` show as "net:[INODE]"). Any error (no such
// process, no such namespace type, EACCES) throws std::runtime_error naming the path, so the
// test fails there: two failed reads never compare equal.
//   EXPECT_EQ(ReadNsInode(pid, "net"), ReadNsInode(pause, "net"));
//   EXPECT_NE(ReadNsInode(pid, "mnt"), HostNsInode("mnt"));

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace podagent::testing {

uint64_t ReadNsInode(pid_t pid, const std::string& ns);
// The same for a namespace file anywhere (a pinned netns bind mount, /proc/self/ns/uts).
uint64_t ReadNsInodeAt(const std::string& path);
// The host's namespace: that of PID 1, or of the test process itself where PID 1 holds
// capabilities the test lacks and its ns files answer EACCES (the test runs in the host's).
uint64_t HostNsInode(const std::string& ns);

}  // namespace podagent::testing
