#pragma once
// User names as `ps` inside a container shows them: from the container's own /etc/passwd, read
// through /proc/PID/root (resolved inside that root, openat2 RESOLVE_IN_ROOT, bounded), not the
// host's.

#include <sys/types.h>

#include <map>
#include <string>

namespace podagent {

// uid -> name of passwd lines ("name:x:uid:..."); malformed lines are skipped, the first name
// of a uid wins.
std::map<uid_t, std::string> ParsePasswd(const std::string& text);

// The users of the root filesystem `pid` sees; empty when it cannot be read.
std::map<uid_t, std::string> ContainerUsers(pid_t pid);

// The name of `uid` in `users`, else the number.
std::string UserName(const std::map<uid_t, std::string>& users, uid_t uid);

}  // namespace podagent
