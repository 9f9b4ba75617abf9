#pragma once
// The bound of RunPodSandbox and StopPodSandbox with CNI: the same conflist's plugin chain run
// directly, without a runtime. One round creates a fresh network namespace (untimed: a thread
// unshares CLONE_NEWNET and the namespace is pinned under `netns_dir` as podagent pins its pods'),
// times ADD through the plugins in order and DEL through them in reverse (CniExecutor::Exec: the
// spec's CNI_* environment and stdin, prevResult chained, as podagent runs them, minus podagent's
// result cache and config discovery), then removes the namespace. A runtime's "RunPodSandbox,
// CNI bridge" minus the ADD row is its own share; the same for StopPodSandbox and the DEL row.
//
// The bound of the K rows (scale_bench.h) is the same chain for K fresh namespaces at once: the
// namespaces are made first (untimed), then `clients` threads ADD the chain in all K, timed from
// the first ADD to the last ("K CNI chain ADDs at once, K=N", s: the bound of "K pods started at
// once"), then DEL it in all K the same way ("K CNI chain DELs at once, K=N", s: the bound of "K
// pods torn down"). The plugins' own locks (host-local's, bridge's iptables) are in it as they
// are for the runtimes.

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
inline constexpr char kCniBoundScaleAddRow[] = "K CNI chain ADDs at once";  // + ", K=N"
inline constexpr char kCniBoundScaleDelRow[] = "K CNI chain DELs at once";

// One round: ADD then DEL in a fresh namespace, timed into the two rows; errors into `results`.
void RunCniBoundRound(const CniBoundOptions& options, Results& results);
// K namespaces at once, ADD then DEL by `clients` threads, timed into the two K rows.
void RunCniBoundScale(const CniBoundOptions& options, int pods, int clients, Results& results);
// Unmounts `netns_dir` again (after the last round).
void CleanUpCniBound(const CniBoundOptions& options);

}  // namespace podagent::bench
