#pragma once
// Reads CgroupStats of one cgroup at the moment of the call (scrape time). Never fails: what
// cannot be read stays absent, so a cgroup removed mid-read gives a partial or empty result.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "metrics/cgroup_dir.h"
#include "metrics/cgroup_layout.h"
#include "metrics/cgroup_stats.h"

namespace podagent {

// Process and thread counts already read, in the same pass, for some direct children of a cgroup
// (a pod's containers), by child directory name. A walk of the parent adds these counts instead
// of reading the children's cgroup.procs and tasks (and listing their subtrees) a second time.
struct ChildCounts {
  std::optional<uint64_t> processes;  // lines of cgroup.procs, the child's subtree included
  std::optional<uint64_t> threads;    // lines of tasks (v1) or cgroup.threads (v2), likewise
};
using KnownChildren = std::map<std::string, ChildCounts, std::less<>>;

// Dispatches on layout.IsV2(). `path` is relative to the hierarchy root ("/podagent/pod<id>").
// When `own_procs` is given it receives the cgroup's own cgroup.procs as read for the process
// count (nullopt when unreadable), so callers that walk /proc for those pids need not read it again.
// `known` (may be null): counts of direct children read in this pass (KnownChildren above).
CgroupStats ReadCgroupStats(const CgroupLayout& layout, const std::string& path,
                            std::optional<std::string>* own_procs = nullptr,
                            const KnownChildren* known = nullptr);

// The directory whose cgroup.procs lists the processes of cgroup `path`: the unified one on v2;
// on v1 the pids hierarchy, or the memory one where pids is not mounted ("" when neither is).
std::string ProcsDir(const CgroupLayout& layout, const std::string& path);

// The per-version readers, for tests.
CgroupStats ReadCgroupV1Stats(const CgroupLayout& layout, const std::string& path,
                              std::optional<std::string>* own_procs = nullptr,
                              const KnownChildren* known = nullptr);
CgroupStats ReadCgroupV2Stats(const std::string& path, std::optional<std::string>* own_procs = nullptr,
                              const KnownChildren* known = nullptr);

// Processes and threads of a cgroup and every cgroup below it, counted in one walk of the tree
// (at most kMaxCgroupWalk directories): lines of cgroup.procs and of `threads_file` (v1 tasks,
// v2 cgroup.threads). A count is nullopt when `dir` itself has no such file. `own_procs` is the
// content of `dir`'s own cgroup.procs. A direct child in `known` whose needed counts are there adds
// them instead of being read (and its subtree is not listed).
struct CgroupProcessCounts {
  std::optional<uint64_t> processes;
  std::optional<uint64_t> threads;
  std::optional<std::string> own_procs;
};
CgroupProcessCounts CountCgroupProcesses(const CgroupDir& dir, const char* threads_file,
                                         const KnownChildren* known = nullptr);
// Lines of cgroup.procs in `dir` and below, as CountRecursive, the direct children in `known`
// adding their known process count instead of being read.
std::optional<uint64_t> CountProcsRecursive(const CgroupDir& dir, const KnownChildren* known);

// Lines of `file` (cgroup.procs, tasks, cgroup.threads) in `dir` and every cgroup below it, at
// most kMaxCgroupWalk directories; nullopt when `dir` has no such file.
std::optional<uint64_t> CountRecursive(const CgroupDir& dir, const char* file);
std::optional<uint64_t> CountRecursive(const std::string& dir, const std::string& file);
// Names of the directories (child cgroups) in `dir`; a directory whose link count says it has no
// subdirectory (2) is not listed.
std::vector<std::string> ChildDirs(const CgroupDir& dir);
inline constexpr int kMaxCgroupWalk = 4096;

// cpu.weight [1, 10000] back to cgroup v1 cpu.shares [2, 262144]: the smallest shares that
// Kubernetes' shares -> weight conversion maps to `weight`.
uint64_t CpuWeightToShares(uint64_t weight);

}  // namespace podagent
