#pragma once
// What a process does with signals, from /proc/PID/status: the signals it catches (SigCgt) and
// ignores (SigIgn), and whether it is PID 1 of its PID namespace (last NSpid field). The kernel
// discards a signal sent to such an init unless it has a handler for it (SIGKILL and SIGSTOP
// aside), so a stop signal that arrives before the entrypoint installed its handler is lost.

#include <sys/types.h>

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace podagent {

struct SignalState {
  uint64_t caught = 0;    // bit (sig - 1) set: a handler is installed
  uint64_t ignored = 0;   // bit (sig - 1) set: SIG_IGN
  bool namespace_init = false;
};

// Parses the content of a /proc/PID/status file.
absl::StatusOr<SignalState> ParseSignalState(absl::string_view status);
// Reads /proc/`pid`/status; NotFound when the process is gone.
absl::StatusOr<SignalState> ReadSignalState(pid_t pid);

// True when `sig` (not SIGKILL or SIGSTOP) sent now would be discarded: a namespace init with
// neither a handler for it nor an explicit SIG_IGN.
bool DiscardsSignal(const SignalState& s, int sig);

}  // namespace podagent
