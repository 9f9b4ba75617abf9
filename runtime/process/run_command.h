#pragma once
// RunCommand: runs a program to completion with stdin data, capturing stdout and stderr (each
// bounded), with a deadline after which the program is killed.

#include <csignal>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace podagent {

struct CommandOptions {
  std::vector<std::string> argv;  // argv[0]: absolute path
  std::vector<std::string> env;
  std::string stdin_data;
  absl::Duration timeout = absl::Seconds(60);
  // Sent at the deadline; SIGKILL follows after `kill_grace` if the program is still there. A
  // program that cleans up on SIGTERM (podagent-shim exec) gets the chance to.
  int timeout_signal = SIGKILL;
  absl::Duration kill_grace = absl::Seconds(5);
  size_t max_output = 1 << 20;  // per stream; the rest is read and dropped
  std::string cwd = "/";
};

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string out, err;
  bool out_truncated = false, err_truncated = false;
};

// Error only when the program could not be started or ran past the timeout (DeadlineExceeded,
// after killing it); a non-zero exit is a result, not an error.
absl::StatusOr<CommandResult> RunCommand(const CommandOptions& options);

}  // namespace podagent
