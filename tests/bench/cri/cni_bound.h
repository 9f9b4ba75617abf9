#pragma once
// The bound of RunPodSandbox and StopPodSandbox with CNI: the same conflist's plugin chain run
// directly, without a runtime. One round creates a fresh network namespace (untimed: a thread
// unshares CLONE_NEWNET and the namespace is pinned under `netns_dir` as podagent pins its pods'),
// times ADD through the plugins in order and DEL through them in reverse (CniExecutor::Exec: the
// spec's CNI_* environment and stdin, prevResult chained, as podagent runs them, minus podagent's
// result cache and config discovery), then removes the namespace. A runtime's "RunPodSandbox,
// CNI bridge" minus the ADD row is its own share; the same for StopPodSandbox and the DEL row.

#include <string>
#include <vector>

#include "tests/bench/cri/results.h"

namespace podagent::bench {

struct CniBoundOptions {
  std::string conflist;                // a .conflist (or single-plugin .conf) file
  std::vector<std::string> bin_dirs;   // where the plugins are looked up
  std::string netns_dir;               // the pins go here (created; a shared mount point while used)
  std::string target;                  // the column the rows go into
};

inline constexpr char kCniBoundAddRow[] = "CNI chain ADD alone (RunPodSandbox bound)";
inline constexpr char kCniBoundDelRow[] = "CNI chain DEL alone (StopPodSandbox bound)";

// One round: ADD then DEL in a fresh namespace, timed into the two rows; errors into `results`.
void RunCniBoundRound(const CniBoundOptions& options, Results& results);
// Unmounts `netns_dir` again (after the last round).
void CleanUpCniBound(const CniBoundOptions& options);

}  // namespace podagent::bench
