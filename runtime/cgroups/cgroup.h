#pragma once
// The cgroup interface shared by pods and containers: one interface, two drivers (cgroup v1 with
// one hierarchy per controller, cgroup v2 unified), chosen by probing the mount (statfs magic).
// Paths are cgroup paths relative to the hierarchy root, e.g. "/podagent/pod<id>/<cid>".
// The root (normally /sys/fs/cgroup) is a parameter so tests can run against fixture trees.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/cgroups/device_rules.h"

namespace podagent {

struct CgroupResources {
  std::optional<int64_t> cpu_shares;   // v1 cpu.shares; v2 cpu.weight via the Kubernetes mapping
  std::optional<int64_t> cpu_quota;    // microseconds per period; -1 or 0 means unlimited
  std::optional<int64_t> cpu_period;   // microseconds
  std::optional<std::string> cpuset_cpus;
  std::optional<std::string> cpuset_mems;
  std::optional<int64_t> memory_limit;       // bytes; 0 means unlimited
  std::optional<int64_t> memory_swap_limit;  // bytes, memory+swap as in v1; 0 means unset
  std::optional<int64_t> pids_limit;         // 0 or -1 means unlimited
  std::map<std::string, int64_t> hugepage_limits;    // page size as the CRI names it ("2MB") -> bytes
  std::map<std::string, std::string> unified;        // raw v2 file -> value (v2 only)
  // v2 memory.oom.group: the OOM killer takes the whole cgroup (containers). v1 has no
  // equivalent and ignores it.
  std::optional<bool> memory_oom_group;
  // Device access: when set, every device is denied but these (v1 devices.deny "a" then
  // devices.allow per rule; v2 an attached BPF_CGROUP_DEVICE program). Unset leaves it alone.
  std::optional<std::vector<DeviceRule>> devices;
};

// Driver options. `create_missing_files` is for fixture trees in tests only: the kernel makes a
// cgroup's files at mkdir, a plain directory does not, so writes create them instead of failing.
struct CgroupDriverOptions {
  bool create_missing_files = false;
};

class CgroupDriver {
 public:
  virtual ~CgroupDriver() = default;

  // Probes `mount_root`: cgroup2 magic -> v2 driver; tmpfs with controller dirs -> v1 driver.
  static absl::StatusOr<std::unique_ptr<CgroupDriver>> Detect(const std::string& mount_root = "/sys/fs/cgroup");

  virtual bool IsV2() const = 0;
  virtual std::string MountRoot() const = 0;
  // Controllers the driver manages: v1 every mounted hierarchy's controllers ("name=systemd"
  // for named ones); v2 those listed in the root's cgroup.controllers.
  virtual std::vector<std::string> Controllers() const = 0;
  // Creates `path` (and parents) in every hierarchy (v1) or in the unified tree with the
  // controllers enabled in each parent's cgroup.subtree_control (v2). Existing is fine.
  virtual absl::Status Create(const std::string& path) = 0;
  // Writes the set fields of `resources`; unset fields are left alone.
  virtual absl::Status Apply(const std::string& path, const CgroupResources& resources) = 0;
  // What Apply would refuse without asking the kernel: malformed values (hugepage sizes, unified
  // keys, device access; on v2 a swap limit without a memory limit or below it), and what this
  // node cannot do (unified settings on v1, a v1 swap limit without swap accounting). Touches no
  // cgroup, so a caller can refuse a request before it makes anything (CreateContainer, whose
  // cgroup is made at start).
  virtual absl::Status Check(const CgroupResources& resources) const;
  virtual absl::Status AddProcess(const std::string& path, pid_t pid) = 0;
  // Absolute paths of the cgroup.procs files a process must be written into to join `path`
  // (one per v1 hierarchy, one for v2): what a freshly exec'd helper writes its own pid to.
  virtual std::vector<std::string> ProcsFiles(const std::string& path) const = 0;
  // Processes in `path` and its descendants.
  virtual absl::StatusOr<std::vector<pid_t>> Pids(const std::string& path) const = 0;
  // Absolute directory of `path` for a controller ("memory", "cpu", ...; v2 ignores it).
  virtual std::string Dir(const std::string& path, const std::string& controller) const = 0;
  // Kills every process left in `path`, then removes it (children first) in every hierarchy,
  // retrying EBUSY for a bounded time. Absent is fine.
  virtual absl::Status Destroy(const std::string& path) = 0;
  // Kills every process in `path` and its descendants and waits (bounded) until none is left,
  // so that a process forking meanwhile cannot escape: v2 writes cgroup.kill where the kernel
  // has it, else freezes (cgroup.freeze), kills every pid and thaws; v1 does the same with the
  // freezer hierarchy (without one, kills in rounds until empty). Absent is fine.
  virtual absl::Status Kill(const std::string& path) = 0;
  // True when `path` exists in any hierarchy.
  virtual bool Exists(const std::string& path) const = 0;

  // Where a pod, its pause and a container live. cgroupfs: "<parent>/pod<id>", "<pod>/pause",
  // "<pod>/<container id>"; the systemd driver names units (systemd_names.h) and refuses a parent
  // that is not a slice.
  virtual absl::StatusOr<std::string> PodPath(const std::string& parent, const std::string& pod_id) const {
    return parent + "/pod" + pod_id;
  }
  virtual absl::StatusOr<std::string> PausePath(const std::string& pod_path, const std::string& /*pod_id*/) const {
    return pod_path + "/pause";
  }
  virtual absl::StatusOr<std::string> ContainerPath(const std::string& pod_path,
                                                    const std::string& container_id) const {
    return pod_path + "/" + container_id;
  }
  // Called once the first real process has joined `path` (through ProcsFiles): a driver that had
  // to keep a process there meanwhile lets it go (systemd's scopes). cgroupfs keeps nothing.
  virtual void ReleaseHold(const std::string& /*path*/) {}
};

// The drivers, for callers (and tests) that know what they have.
// v1: every directory under `mount_root` that is a cgroup v1 mount (or, with
// create_missing_files, any directory holding cgroup.procs but no cgroup.controllers); a
// comma-separated name is a co-mount ("cpu,cpuacct"), symlinked aliases are skipped.
absl::StatusOr<std::unique_ptr<CgroupDriver>> NewCgroupV1Driver(const std::string& mount_root,
                                                                CgroupDriverOptions options = {});
absl::StatusOr<std::unique_ptr<CgroupDriver>> NewCgroupV2Driver(const std::string& mount_root,
                                                                CgroupDriverOptions options = {});

}  // namespace podagent
