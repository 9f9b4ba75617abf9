#pragma once
// /proc/PID/stat parsing: the process state and its start time (clock ticks since boot), which
// together with the pid name one process for its whole life (pids are reused, start times not).

#include <sys/types.h>

#include <cstdint>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace podagent {

struct ProcStat {
  char state = '?';         // R, S, D, Z, T, ...
  pid_t ppid = 0;
  uint64_t start_time = 0;  // field 22, clock ticks after boot
};

// Parses the content of a /proc/PID/stat file. The command name (field 2) may hold spaces and
// parentheses; the last ')' ends it.
absl::StatusOr<ProcStat> ParseProcStat(absl::string_view content);

// Reads /proc/`pid`/stat; NotFound when the process is gone.
absl::StatusOr<ProcStat> ReadProcStat(pid_t pid);

}  // namespace podagent
