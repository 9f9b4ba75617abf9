#pragma once
// The read-only diagnostics subcommands (ns, why, cgroup, top; agent/cli/README.md). They ask the
// running daemon over its CRI socket (the config's `socket`) and read the kernel's facts beside
// it (/proc, cgroupfs: bounded, never following a symlink); they change nothing. Exit codes:
// 0 done, 1 an error (one line on stderr: unknown or ambiguous name, daemon unreachable), 2 usage.

#include <string>
#include <vector>

#include "agent/config.h"

namespace podagent {

// `podagent ns POD [--json]`: the pod's namespace table (agent/cli/ns_cli.cc).
int NsCliMain(const Config& config, const std::vector<std::string>& args);
// `podagent why CONTAINER [--json]`: why a container is in its state (agent/cli/why_cli.cc).
int WhyCliMain(const Config& config, const std::vector<std::string>& args);
// `podagent cgroup POD [--json]`: the pod's cgroup tree, limits and usage (agent/cli/cgroup_cli.cc).
int CgroupCliMain(const Config& config, const std::vector<std::string>& args);
// `podagent top POD [--json]`: the pod's processes, pid inside and outside (agent/cli/top_cli.cc).
int TopCliMain(const Config& config, const std::vector<std::string>& args);

}  // namespace podagent
