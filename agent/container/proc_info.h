#pragma once
// What `podagent top` shows of one process, from /proc/PID/status and /proc/PID/cmdline (read
// bounded, without following symlinks). The parsers are pure and take the files' content.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace podagent {

struct ProcInfo {
  std::string name;            // status "Name:" (the kernel's comm, at most 15 characters)
  char state = '?';            // status "State:" letter (R, S, D, Z, T, ...)
  uid_t uid = 0;               // status "Uid:" effective (second field), as `ps` shows
  std::vector<pid_t> ns_pids;  // status "NSpid:": the pid in each PID namespace, outermost first
  std::string command;         // cmdline with NULs as spaces; "[name]" when empty (as `ps` shows)
};

// Parses /proc/PID/status. InvalidArgument when "NSpid:" or "Uid:" is missing (kernels before
// 4.1 have no NSpid).
absl::StatusOr<ProcInfo> ParseProcStatus(const std::string& status);
// argv of /proc/PID/cmdline joined by spaces (trailing NULs dropped).
std::string CmdlineText(const std::string& cmdline);

// /proc/`pid`/status and cmdline; NotFound when the process is gone.
absl::StatusOr<ProcInfo> ReadProcInfo(pid_t pid);

}  // namespace podagent
