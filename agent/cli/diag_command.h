#pragma once
// The frame every diagnostics subcommand shares: parse `NAME [--json]`, reach the daemon, build
// the output, print it, and turn any failure into one line on stderr with exit code 1 (usage: 2).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/cli/diag_client.h"
#include "agent/config.h"

namespace podagent {

// The arguments of a diagnostics subcommand: exactly one name, and an optional --json.
struct DiagArgs {
  std::string target;
  bool json = false;
};
// nullopt, after printing `usage` to stderr, when the arguments are not that.
std::optional<DiagArgs> ParseDiagArgs(const std::vector<std::string>& args, const char* usage);

// What a subcommand does once connected: the text (or JSON text) to print, or an error.
using DiagBody = std::function<absl::StatusOr<std::string>(DiagClient& client, const DiagArgs& args)>;

// Runs `body` against the daemon at config.socket; errors print as "podagent <command>: <one
// line>". Returns the process exit code.
int RunDiagCommand(const Config& config, const std::vector<std::string>& args, const char* command, const char* usage,
                   const DiagBody& body);

}  // namespace podagent
