#pragma once
// The systemd cgroup driver (`cgroup_driver: systemd`, cgroup v2): a CgroupDriver whose pods are
// transient slices and whose pause and containers are transient delegated scopes, made over
// D-Bus (SystemdUnits), around the cgroupfs driver for everything systemd leaves to the files.
//
// A path is read by its last component:
//   "*.slice"  Create starts the transient slice (an existing one, e.g. kubelet's, is fine);
//              the path must be where systemd puts that slice (dash-expansion).
//   "*.scope"  its parent must be a slice. Create starts the scope (Slice= the parent,
//              Delegate=yes) around a ScopeHolder child, since systemd wants a pid; the real
//              process joins through ProcsFiles, then ReleaseHold lets the holder go.
//   other      a cgroup inside a delegated scope: the cgroupfs driver's.
// Apply sets what systemd has a property for (ResourceProperties) on the unit, live, and writes
// the rest (FileOnlyResources) to the files. Kill is the cgroupfs Kill (it also ends a holder,
// which is then reaped). Destroy kills, stops the scope, or the slice when podagent made it
// (IsPodagentPodSlice; kubelet's slices are left to kubelet), then removes any leftover
// directory. Dir, ProcsFiles, Pids, Exists and the rest are the cgroupfs driver's.
//
// On systemd's hybrid layout (cgroup v1 controllers, systemd tracking units in the controller-less
// v2 tree at <root>/unified; systemd.unified_cgroup_hierarchy=0) `files` is the v1 driver: the
// properties are the v1 ones (systemd_properties.h, Layout::kHybrid); after systemd made a unit's
// cgroup in the hierarchies it manages, Create makes the same path in the others (freezer,
// hugetlb, cpuset...), so that a process joins the unit in every hierarchy, and a scope asks for
// blkio and devices (HybridScopeProperties), which systemd would otherwise trim; ProcsFiles and
// AddProcess add the unified tree's cgroup.procs, where systemd sees a scope's processes.
//
// The naming of a pod, its pause and a container: PodPath/PausePath/ContainerPath, here
// systemd_names.h's (the cgroupfs drivers keep "<parent>/pod<id>", "<pod>/pause", "<pod>/<id>").

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/cgroups/scope_holder.h"
#include "runtime/cgroups/systemd_properties.h"
#include "runtime/cgroups/systemd_units.h"

namespace podagent {

class SystemdCgroupDriver final : public CgroupDriver {
 public:
  // `files` is a v2 driver, or a v1 driver under systemd's hybrid layout (a name=systemd hierarchy
  // and a cgroup2 mount at <root>/unified); FailedPrecondition for any other v1 layout.
  static absl::StatusOr<std::unique_ptr<SystemdCgroupDriver>> New(std::unique_ptr<CgroupDriver> files,
                                                                  std::unique_ptr<systemd::SystemdUnits> units);
  // Detect(mount_root) + SystemdUnits::Connect(options).
  static absl::StatusOr<std::unique_ptr<SystemdCgroupDriver>> Connect(const std::string& mount_root = "/sys/fs/cgroup",
                                                                      systemd::UnitsOptions options = {});
  ~SystemdCgroupDriver() override;

  // The layout under this driver (see systemd_names.h).
  absl::StatusOr<std::string> PodPath(const std::string& parent, const std::string& pod_id) const override;
  absl::StatusOr<std::string> PausePath(const std::string& pod_path, const std::string& pod_id) const override;
  absl::StatusOr<std::string> ContainerPath(const std::string& pod_path,
                                            const std::string& container_id) const override;
  // Lets the holder of the scope at `path` exit and reaps it: call once the real process is in
  // the scope. Nothing to do is fine.
  void ReleaseHold(const std::string& path) override;

  bool IsV2() const override { return files_->IsV2(); }
  std::string MountRoot() const override { return files_->MountRoot(); }
  std::vector<std::string> Controllers() const override { return files_->Controllers(); }
  absl::Status Create(const std::string& path) override;
  absl::Status Apply(const std::string& path, const CgroupResources& resources) override;
  absl::Status Check(const CgroupResources& resources) const override;
  absl::Status AddProcess(const std::string& path, pid_t pid) override;
  std::vector<std::string> ProcsFiles(const std::string& path) const override;
  absl::StatusOr<std::vector<pid_t>> Pids(const std::string& path) const override { return files_->Pids(path); }
  std::string Dir(const std::string& path, const std::string& controller) const override {
    return files_->Dir(path, controller);
  }
  absl::Status Destroy(const std::string& path) override;
  absl::Status Kill(const std::string& path) override;
  bool Exists(const std::string& path) const override { return files_->Exists(path); }

 private:
  SystemdCgroupDriver(std::unique_ptr<CgroupDriver> files, std::unique_ptr<systemd::SystemdUnits> units,
                      std::string unified_root)
      : files_(std::move(files)), units_(std::move(units)), unified_root_(std::move(unified_root)) {}
  systemd::Layout layout() const {
    return unified_root_.empty() ? systemd::Layout::kUnified : systemd::Layout::kHybrid;
  }
  absl::Status CreateSlice(const std::string& path, const std::string& slice);
  absl::Status CreateScope(const std::string& path, const std::string& scope);
  // Hybrid: `path` in the v1 hierarchies systemd does not manage (a no-op on v2).
  absl::Status CreateUnmanaged(const std::string& path);
  // Releases the holders of `path` and of the scopes below it.
  void ReleaseHoldsUnder(const std::string& path);

  std::unique_ptr<CgroupDriver> files_;
  std::unique_ptr<systemd::SystemdUnits> units_;
  std::string unified_root_;  // hybrid: systemd's controller-less v2 mount; empty on v2
  absl::Mutex mu_;
  std::map<std::string, ScopeHolder> holders_ ABSL_GUARDED_BY(mu_);  // by scope path
};

}  // namespace podagent
