#pragma once
// CgroupSource: read-only access to the host's cgroup files for the diagnostics subcommands.
// Cgroup paths come from the daemon ("/podagent/pod<id>/<cid>"); each is opened beneath its
// hierarchy's root directory without following symlinks (bounded_read.h), and every read is
// bounded. Nothing is ever written.

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/hostfs/cgroup_facts.h"
#include "runtime/common/unique_fd.h"

namespace podagent {

class CgroupSource {
 public:
  // Probes `mount_root`: cgroup2 (statfs magic) -> v2; otherwise the v1 hierarchies of the
  // controllers shown (memory, cpu, cpuacct, cpuset, pids) under it.
  static absl::StatusOr<std::unique_ptr<CgroupSource>> Open(const std::string& mount_root = "/sys/fs/cgroup");

  bool IsV2() const { return v2_; }
  const std::string& MountRoot() const { return root_; }
  // Absolute directory of `path` for `controller` (v2: the unified directory); "" when that v1
  // controller is not mounted.
  std::string Dir(const std::string& path, const std::string& controller) const;
  // The facts of the cgroup at `path`; NotFound when it does not exist in any hierarchy shown.
  absl::StatusOr<CgroupFacts> Facts(const std::string& path) const;
  // Pids in `path`'s cgroup.procs and those of its descendants (v1: in the pids hierarchy, else
  // memory, else cpu).
  absl::StatusOr<std::vector<pid_t>> Procs(const std::string& path) const;

 private:
  // The directory of `path` in `controller`'s hierarchy, opened beneath its root.
  absl::StatusOr<UniqueFd> OpenDir(const std::string& path, const std::string& controller) const;
  std::optional<std::string> ReadFile(const std::string& path, const std::string& controller,
                                      const std::string& file) const;

  bool v2_ = false;
  std::string root_;
  std::map<std::string, UniqueFd> hierarchies_;        // controller -> root dir fd ("" for v2)
  std::map<std::string, std::string> hierarchy_dirs_;  // controller -> root dir
};

// Pids listed in a cgroup.procs text (one per line); lines that are not pids are skipped.
std::vector<pid_t> ParseProcs(const std::string& text);

}  // namespace podagent
