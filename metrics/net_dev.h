#pragma once
// Per-interface counters of a network namespace, from /proc/<pid>/net/dev: the kernel answers
// with the namespace of <pid>, so a pod's counters are read through its pause process without
// setns (which the multi-threaded daemon must never do).

#include <sys/types.h>

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

namespace podagent {

struct InterfaceStats {
  std::string name;
  uint64_t rx_bytes = 0, rx_packets = 0, rx_errors = 0, rx_dropped = 0;
  uint64_t tx_bytes = 0, tx_packets = 0, tx_errors = 0, tx_dropped = 0;
};

// Parses /proc/net/dev content; skips the two header lines and "lo" (as cAdvisor does).
std::vector<InterfaceStats> ParseNetDev(absl::string_view text);
// Reads <proc_root>/<pid>/net/dev; empty when the process is gone.
std::vector<InterfaceStats> ReadNetDev(pid_t pid, const std::string& proc_root = "/proc");

}  // namespace podagent
