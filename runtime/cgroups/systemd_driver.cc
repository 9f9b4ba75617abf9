#include "runtime/cgroups/systemd_driver.h"

#include <linux/magic.h>
#include <sys/vfs.h>

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/cgroups/cgroup_files.h"
#include "runtime/cgroups/systemd_names.h"
#include "runtime/common/errors.h"

namespace podagent {
namespace {

std::string Parent(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

bool IsSlice(const std::string& unit) { return absl::EndsWith(unit, ".slice"); }
bool IsScope(const std::string& unit) { return absl::EndsWith(unit, ".scope"); }

// True when some component above the last one of `path` is a scope: a cgroup podagent may make
// itself, since systemd delegated the scope's subtree.
bool InsideScope(const std::string& path) {
  std::vector<std::string> parts = absl::StrSplit(Parent(path), '/', absl::SkipEmpty());
  for (const auto& p : parts) {
    if (IsScope(p)) return true;
  }
  return false;
}

// The path systemd gives `slice`, checked against `path`.
absl::Status CheckSlicePath(const std::string& path, const std::string& slice) {
  ASSIGN_OR_RETURN(std::string expected, systemd::SliceCgroupPath(slice));
  if (expected == path) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("cgroup ", path, " is not where systemd puts ", slice, " (", expected, ")"));
}

bool IsCgroup2(const std::string& dir) {
  struct statfs fs;
  return ::statfs(dir.c_str(), &fs) == 0 && static_cast<unsigned long>(fs.f_type) == CGROUP2_SUPER_MAGIC;
}

// The unified mount of systemd's hybrid layout under the v1 driver `files`: a name=systemd
// hierarchy and a cgroup2 mount at <root>/unified. FailedPrecondition for any other v1 layout.
absl::StatusOr<std::string> HybridUnifiedRoot(const CgroupDriver& files) {
  std::vector<std::string> controllers = files.Controllers();
  bool named = std::find(controllers.begin(), controllers.end(), "name=systemd") != controllers.end();
  std::string unified = files.MountRoot() + "/unified";
  if (named && IsCgroup2(unified)) return unified;
  return absl::FailedPreconditionError(absl::StrCat(
      "cgroup_driver systemd on cgroup v1 needs systemd's hybrid layout (a name=systemd hierarchy and cgroup2 at ",
      unified, "), which ", files.MountRoot(), " does not have",
      named ? "" : " (no name=systemd hierarchy: is PID 1 systemd?)",
      ": use cgroup_driver cgroupfs, or boot with systemd.unified_cgroup_hierarchy=0 (hybrid) or =1 (v2)"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<SystemdCgroupDriver>> SystemdCgroupDriver::New(
    std::unique_ptr<CgroupDriver> files, std::unique_ptr<systemd::SystemdUnits> units) {
  std::string unified_root;
  if (!files->IsV2()) {
    ASSIGN_OR_RETURN(unified_root, HybridUnifiedRoot(*files));
  }
  return std::unique_ptr<SystemdCgroupDriver>(
      new SystemdCgroupDriver(std::move(files), std::move(units), std::move(unified_root)));
}

absl::StatusOr<std::unique_ptr<SystemdCgroupDriver>> SystemdCgroupDriver::Connect(const std::string& mount_root,
                                                                                  systemd::UnitsOptions options) {
  ASSIGN_OR_RETURN(auto files, CgroupDriver::Detect(mount_root));
  ASSIGN_OR_RETURN(auto units, systemd::SystemdUnits::Connect(options));
  return New(std::move(files), std::move(units));
}

SystemdCgroupDriver::~SystemdCgroupDriver() {
  absl::MutexLock lock(&mu_);
  holders_.clear();  // each releases and reaps its child
}

absl::StatusOr<std::string> SystemdCgroupDriver::PodPath(const std::string& parent, const std::string& pod_id) const {
  return systemd::PodSlicePath(parent, pod_id);
}

absl::StatusOr<std::string> SystemdCgroupDriver::PausePath(const std::string& pod_path,
                                                           const std::string& pod_id) const {
  return systemd::PauseScopePath(pod_path, pod_id);
}

absl::StatusOr<std::string> SystemdCgroupDriver::ContainerPath(const std::string& pod_path,
                                                               const std::string& container_id) const {
  return systemd::ContainerScopePath(pod_path, container_id);
}

absl::Status SystemdCgroupDriver::Create(const std::string& path) {
  std::string unit = systemd::UnitOfPath(path);
  if (IsSlice(unit)) return CreateSlice(path, unit);
  if (IsScope(unit)) return CreateScope(path, unit);
  if (InsideScope(path)) return files_->Create(path);
  return absl::InvalidArgumentError(absl::StrCat(
      "cgroup ", path, ": under the systemd driver a cgroup is a slice, a scope in a slice, or inside a scope"));
}

absl::Status SystemdCgroupDriver::CreateSlice(const std::string& path, const std::string& slice) {
  RETURN_IF_ERROR(CheckSlicePath(path, slice));
  std::vector<systemd::UnitProperty> extra;
  if (layout() == systemd::Layout::kHybrid) extra = systemd::HybridSliceProperties();
  absl::Status st = units_->Start(slice, systemd::SliceProperties(absl::StrCat("podagent ", slice), std::move(extra)));
  if (!st.ok() && !absl::IsAlreadyExists(st)) return st;  // exists: kubelet's, or ours from before
  return CreateUnmanaged(path);
}

absl::Status SystemdCgroupDriver::CreateUnmanaged(const std::string& path) {
  if (layout() == systemd::Layout::kUnified) return absl::OkStatus();
  return files_->Create(path);  // existing directories (systemd's) are fine
}

absl::Status SystemdCgroupDriver::CreateScope(const std::string& path, const std::string& scope) {
  std::string slice = systemd::UnitOfPath(Parent(path));
  if (!IsSlice(slice)) {
    return absl::InvalidArgumentError(absl::StrCat("cgroup ", path, ": a scope's parent must be a slice"));
  }
  RETURN_IF_ERROR(CheckSlicePath(Parent(path), slice));
  ASSIGN_OR_RETURN(ScopeHolder holder, ScopeHolder::Start());
  std::vector<systemd::UnitProperty> extra;
  if (layout() == systemd::Layout::kHybrid) extra = systemd::HybridScopeProperties();
  absl::Status st = units_->Start(
      scope, systemd::ScopeProperties(absl::StrCat("podagent ", scope), slice, {holder.pid()}, std::move(extra)));
  if (absl::IsAlreadyExists(st)) return CreateUnmanaged(path);  // the holder goes with `holder`
  RETURN_IF_ERROR(st);
  {
    absl::MutexLock lock(&mu_);
    holders_[path] = std::move(holder);
  }
  return CreateUnmanaged(path);
}

absl::Status SystemdCgroupDriver::AddProcess(const std::string& path, pid_t pid) {
  RETURN_IF_ERROR(files_->AddProcess(path, pid));
  if (unified_root_.empty()) return absl::OkStatus();
  return cgroupfs::Write(cgroupfs::Join(unified_root_, path), "cgroup.procs", std::to_string(pid), false);
}

std::vector<std::string> SystemdCgroupDriver::ProcsFiles(const std::string& path) const {
  std::vector<std::string> out = files_->ProcsFiles(path);
  if (!unified_root_.empty()) out.push_back(cgroupfs::Join(unified_root_, path) + "/cgroup.procs");
  return out;
}

void SystemdCgroupDriver::ReleaseHold(const std::string& path) {
  ScopeHolder holder;
  {
    absl::MutexLock lock(&mu_);
    auto it = holders_.find(path);
    if (it == holders_.end()) return;
    holder = std::move(it->second);
    holders_.erase(it);
  }
  holder.Release();
}

void SystemdCgroupDriver::ReleaseHoldsUnder(const std::string& path) {
  std::vector<ScopeHolder> released;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = holders_.begin(); it != holders_.end();) {
      if (it->first == path || absl::StartsWith(it->first, path + "/")) {
        released.push_back(std::move(it->second));
        it = holders_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& h : released) h.Release();
}

absl::Status SystemdCgroupDriver::Apply(const std::string& path, const CgroupResources& resources) {
  std::string unit = systemd::UnitOfPath(path);
  if (unit.empty()) return files_->Apply(path, resources);
  ASSIGN_OR_RETURN(std::vector<systemd::UnitProperty> properties, systemd::ResourceProperties(resources, layout()));
  if (!properties.empty()) RETURN_IF_ERROR(units_->SetProperties(unit, properties));
  return files_->Apply(path, systemd::FileOnlyResources(resources, layout()));
}

absl::Status SystemdCgroupDriver::Check(const CgroupResources& resources) const {
  auto properties = systemd::ResourceProperties(resources, layout());  // its cpuset masks
  if (!properties.ok()) return properties.status();
  return files_->Check(resources);
}

absl::Status SystemdCgroupDriver::Kill(const std::string& path) {
  absl::Status st = files_->Kill(path);
  ReleaseHoldsUnder(path);  // killed with the rest (or never started): reap
  return st;
}

absl::Status SystemdCgroupDriver::Destroy(const std::string& path) {
  RETURN_IF_ERROR(Kill(path));
  std::string unit = systemd::UnitOfPath(path);
  if (IsSlice(unit) && !systemd::IsPodagentPodSlice(unit)) return absl::OkStatus();  // kubelet's
  if (!unit.empty()) RETURN_IF_ERROR(units_->Stop(unit));
  return files_->Destroy(path);
}

}  // namespace podagent
