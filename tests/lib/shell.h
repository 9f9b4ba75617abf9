#pragma once
// RunShell: runs `cmd` with /bin/sh -c, stdout and stderr together; returns the output with
// surrounding white space stripped, or an error naming the command, its exit status and output.
// For scaffolding (hack/ scripts, ip, nsenter); the code under test runs through its own APIs.

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace podagent::testing {

absl::StatusOr<std::string> RunShell(const std::string& cmd);

// Sh: runs an absolute argv (no shell) with a plain PATH and a 30 s deadline; its trimmed stdout,
// or "<exit N: stderr>" / "<error>" so that a failure shows in whatever the test compares.
std::string Sh(std::vector<std::string> argv);

}  // namespace podagent::testing
