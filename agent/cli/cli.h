#pragma once
// The read-only diagnostics subcommands. They ask the running daemon over its CRI socket (the
// config's `socket`) and read the kernel's facts beside it; they change nothing. Exit codes:
// 0 done, 1 an error (one line on stderr: unknown or ambiguous name, daemon unreachable), 2 usage.

#include <string>
#include <vector>

#include "agent/config.h"

namespace podagent {

// `podagent ns POD [--json]`: the pod's namespace table (agent/cli/ns_cli.cc).
int NsCliMain(const Config& config, const std::vector<std::string>& args);
// `podagent why CONTAINER [--json]`: why a container is in its state (agent/cli/why_cli.cc).
int WhyCliMain(const Config& config, const std::vector<std::string>& args);

}  // namespace podagent
