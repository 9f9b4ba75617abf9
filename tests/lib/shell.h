#pragma once
// RunShell: runs `cmd` with /bin/sh -c, stdout and stderr together; returns the output with
// surrounding white space stripped, or an error naming the command, its exit status and output.
// For scaffolding (hack/ scripts, ip, nsenter); the code under test runs through its own APIs.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/process/run_command.h"

namespace podagent::testing {

absl::StatusOr<std::string> RunShell(const std::string& cmd);

// Sh: runs an absolute argv (no shell) with a plain PATH and a 30 s deadline; its trimmed stdout,
// or "<exit N: stderr>" / "<error>" so that a failure shows in whatever the test compares.
std::string Sh(std::vector<std::string> argv);

// Runs an absolute argv (no shell) with this process's environment and a 120 s deadline; stdout
// and stderr apart. When it cannot be started or runs past the deadline: exit_code -1 and the
// reason in `err`.
CommandResult RunArgv(std::vector<std::string> argv);

}  // namespace podagent::testing
