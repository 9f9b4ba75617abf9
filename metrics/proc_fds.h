#pragma once
// Open file descriptors and sockets of a cgroup's processes, counted from /proc/<pid>/fd as
// cAdvisor counts them for container_file_descriptors and container_sockets: every entry of each
// process listed in the cgroup's own cgroup.procs (not its children's), a socket being an entry
// whose link reads "socket:[inode]". Read at scrape time and bounded; nothing a container controls
// is followed: pids are parsed as numbers, /proc/<pid>/fd is opened O_NOFOLLOW and its entries
// are read with readlinkat, never opened.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace podagent {

struct FdCounts {
  uint64_t fds = 0;
  uint64_t sockets = 0;
};

// Processes looked at per cgroup and scrape, and fd entries per process: past these the counts
// stop (a lower bound), so one container with a huge fd table cannot stall a scrape.
inline constexpr int kMaxFdProcesses = 1024;
inline constexpr int kMaxFdsPerProcess = 65536;

// Counts for the pids in `procs` (cgroup.procs content). A pid that is gone or cannot be read is
// skipped, as cAdvisor does.
FdCounts CountProcessFds(absl::string_view procs, const std::string& proc_root = "/proc");

// The same for the cgroup.procs file in `dir`; nullopt when it cannot be read.
std::optional<FdCounts> ReadCgroupFdCounts(const std::string& dir, const std::string& proc_root = "/proc");

}  // namespace podagent
