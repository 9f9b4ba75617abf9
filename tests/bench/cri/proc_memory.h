#pragma once
// Runtime processes and their memory, from the kernel: the daemon's pid from the socket itself
// (SO_PEERCRED), parents and children from /proc/PID/stat, RSS and PSS from
// /proc/PID/smaps_rollup. No process is found by name.

#include <sys/types.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace podagent::bench {

struct Memory {
  double rss_kib = 0;
  double pss_kib = 0;
  Memory& operator+=(const Memory& o) {
    rss_kib += o.rss_kib;
    pss_kib += o.pss_kib;
    return *this;
  }
};

// The pid of the process serving the unix socket at `path`.
absl::StatusOr<pid_t> SocketPeerPid(const std::string& path);

// Parent links of every process, from one scan of /proc/*/stat (field 4).
class ProcessTree {
 public:
  static ProcessTree Scan();
  // 0 when `pid` was not seen.
  pid_t Parent(pid_t pid) const;
  // Every descendant of `pid` seen in the scan.
  std::set<pid_t> Descendants(pid_t pid) const;

 private:
  std::map<pid_t, pid_t> parent_;
  std::multimap<pid_t, pid_t> children_;
};
// Rss and Pss of /proc/PID/smaps_rollup.
absl::StatusOr<Memory> ReadMemory(pid_t pid);
// The sum over `pids`; fails on the first unreadable one.
absl::StatusOr<Memory> SumMemory(const std::set<pid_t>& pids);

}  // namespace podagent::bench
