// cgroup v1: one hierarchy per mounted controller set under the mount root
// (/sys/fs/cgroup/{cpu,cpuacct,cpuset,memory,...}). A cgroup path exists once per hierarchy.

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/cgroups/cgroup_files.h"
#include "runtime/cgroups/cgroup_limits.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"

namespace podagent {
namespace {

constexpr int kKillWaitMs = 5000;
constexpr int kFreezeWaitMs = 1000;

struct Hierarchy {
  std::string dir;                       // absolute mount directory
  std::vector<std::string> controllers;  // "cpu", "cpuacct", "name=systemd", ...
};

bool IsRealDir(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Whether `dir` is a v1 hierarchy: a cgroup (v1) mount, or with `fixture` a plain directory that
// looks like one (cgroup.procs present, no cgroup.controllers).
bool IsV1Hierarchy(const std::string& dir, bool fixture) {
  struct statfs fs;
  if (::statfs(dir.c_str(), &fs) != 0) return false;
  if (static_cast<unsigned long>(fs.f_type) == CGROUP_SUPER_MAGIC) return true;
  if (static_cast<unsigned long>(fs.f_type) == CGROUP2_SUPER_MAGIC) return false;
  return fixture && PathExists(dir + "/cgroup.procs") && !PathExists(dir + "/cgroup.controllers");
}

std::vector<std::string> ControllersOfName(const std::string& name) {
  if (name == "systemd") return {"name=systemd"};
  std::vector<std::string> out;
  for (absl::string_view c : absl::StrSplit(name, ',', absl::SkipEmpty())) out.emplace_back(c);
  return out;
}

class CgroupV1Driver : public CgroupDriver {
 public:
  CgroupV1Driver(std::string root, std::vector<Hierarchy> hierarchies, CgroupDriverOptions options)
      : root_(std::move(root)), hierarchies_(std::move(hierarchies)), options_(options) {}

  bool IsV2() const override { return false; }
  std::string MountRoot() const override { return root_; }

  std::vector<std::string> Controllers() const override {
    std::vector<std::string> out;
    for (const Hierarchy& h : hierarchies_) out.insert(out.end(), h.controllers.begin(), h.controllers.end());
    std::sort(out.begin(), out.end());
    return out;
  }

  absl::Status Create(const std::string& path) override {
    RETURN_IF_ERROR(cgroupfs::ValidatePath(path));
    for (const Hierarchy& h : hierarchies_) {
      RETURN_IF_ERROR(Annotate(CreateIn(h, path), absl::StrCat("create cgroup ", path)));
    }
    return absl::OkStatus();
  }

  absl::Status Apply(const std::string& path, const CgroupResources& r) override {
    RETURN_IF_ERROR(cgroupfs::ValidatePath(path));
    if (!r.unified.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("apply cgroup ", path, ": unified (cgroup v2) settings given on a cgroup v1 node"));
    }
    RETURN_IF_ERROR(ApplyCpu(path, r));
    RETURN_IF_ERROR(ApplyCpuset(path, r));
    RETURN_IF_ERROR(ApplyMemory(path, r));
    if (r.pids_limit) {
      RETURN_IF_ERROR(WriteTo("pids", path, "pids.max", cgroup_limits::PidsMax(*r.pids_limit)));
    }
    RETURN_IF_ERROR(ApplyHugetlb(path, r));
    if (r.devices) RETURN_IF_ERROR(ApplyDevices(path, *r.devices));
    return absl::OkStatus();
  }

  absl::Status Check(const CgroupResources& r) const override {
    if (!r.unified.empty()) {
      return absl::InvalidArgumentError("unified (cgroup v2) settings given on a cgroup v1 node");
    }
    if (r.memory_swap_limit && *r.memory_swap_limit != 0 && !HasMemsw()) {
      return absl::FailedPreconditionError(
          "a memory+swap limit given, but memory.memsw.limit_in_bytes is absent (swap accounting off)");
    }
    return CgroupDriver::Check(r);
  }

  absl::Status AddProcess(const std::string& path, pid_t pid) override {
    RETURN_IF_ERROR(cgroupfs::ValidatePath(path));
    for (const Hierarchy& h : hierarchies_) {
      RETURN_IF_ERROR(cgroupfs::Write(cgroupfs::Join(h.dir, path), "cgroup.procs", std::to_string(pid),
                                      options_.create_missing_files));
    }
    return absl::OkStatus();
  }

  std::vector<std::string> ProcsFiles(const std::string& path) const override {
    std::vector<std::string> out;
    for (const Hierarchy& h : hierarchies_) out.push_back(cgroupfs::Join(h.dir, path) + "/cgroup.procs");
    return out;
  }

  absl::StatusOr<std::vector<pid_t>> Pids(const std::string& path) const override {
    RETURN_IF_ERROR(cgroupfs::ValidatePath(path));
    if (hierarchies_.empty()) return absl::FailedPreconditionError("no cgroup v1 hierarchy under " + root_);
    const Hierarchy* h = Find("pids");
    if (h == nullptr) h = &hierarchies_.front();
    return cgroupfs::ReadProcsRecursive(cgroupfs::Join(h->dir, path));
  }

  std::string Dir(const std::string& path, const std::string& controller) const override {
    const Hierarchy* h = Find(controller);
    if (h == nullptr) return "";
    return cgroupfs::Join(h->dir, path);
  }

  absl::Status Destroy(const std::string& path) override {
    RETURN_IF_ERROR(cgroupfs::ValidatePath(path));
    if (path == "/") return absl::InvalidArgumentError("destroy cgroup /: refusing to remove the root");
    absl::Status first;
    for (const Hierarchy& h : hierarchies_) {
      absl::Status st = cgroupfs::KillAndRemove(cgroupfs::Join(h.dir, path), "", options_.create_missing_files);
      if (!st.ok() && first.ok()) first = Annotate(st, absl::StrCat("destroy cgroup ", path));
    }
    return first;
  }

  absl::Status Kill(const std::string& path) override {
    RETURN_IF_ERROR(cgroupfs::ValidatePath(path));
    if (path == "/") return absl::InvalidArgumentError("kill cgroup /: refusing to kill the root");
    const Hierarchy* freezer = Find("freezer");
    const Hierarchy* h = Find("pids");
    if (h == nullptr) h = freezer != nullptr ? freezer : &hierarchies_.front();
    std::string dir = cgroupfs::Join(h->dir, path);
    if (!IsRealDir(dir)) return absl::OkStatus();
    // An empty tree stays empty (nothing in it is left to fork, and only root moves tasks in):
    // skip the freeze, whose two writes cost ~5 ms each and were most of a StopContainer.
    auto procs = cgroupfs::ReadProcsRecursive(dir);
    if (absl::IsNotFound(procs.status()) || (procs.ok() && procs->empty())) return absl::OkStatus();
    if (freezer == nullptr) return Annotate(cgroupfs::WaitEmpty(dir, kKillWaitMs, true), "kill cgroup " + path);
    // NotFound: the cgroup went while this ran (systemd removes an emptied unit's at once); the
    // wait below kills by pid whatever may still be listed and sees the directory gone.
    absl::Status frozen = FreezeAndKill(cgroupfs::Join(freezer->dir, path));
    if (!frozen.ok() && !absl::IsNotFound(frozen)) return Annotate(frozen, "kill cgroup " + path);
    return Annotate(cgroupfs::WaitEmpty(dir, kKillWaitMs, true), "kill cgroup " + path);
  }

  bool Exists(const std::string& path) const override {
    if (!cgroupfs::ValidatePath(path).ok()) return false;
    for (const Hierarchy& h : hierarchies_) {
      if (IsRealDir(cgroupfs::Join(h.dir, path))) return true;
    }
    return false;
  }

 private:
  const Hierarchy* Find(const std::string& controller) const {
    std::string want = controller == "systemd" ? "name=systemd" : controller;
    for (const Hierarchy& h : hierarchies_) {
      if (std::find(h.controllers.begin(), h.controllers.end(), want) != h.controllers.end()) return &h;
    }
    return nullptr;
  }

  bool IsCpuset(const Hierarchy& h) const {
    return std::find(h.controllers.begin(), h.controllers.end(), "cpuset") != h.controllers.end();
  }

  // mkdir of each missing component; cpuset cgroups start with empty cpus/mems, which would
  // refuse every task, so a new one copies its parent's. An existing one is checked too: another
  // creator (a concurrent RunPodSandbox) may have made it and not yet copied, and a child copied
  // from an empty parent would refuse its tasks (ENOSPC on cgroup.procs).
  absl::Status CreateIn(const Hierarchy& h, const std::string& path) {
    std::string dir = h.dir;
    for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
      std::string parent = dir;
      dir = absl::StrCat(dir, "/", part);
      if (!IsRealDir(dir) && ::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        return ErrnoError(absl::StrCat("mkdir ", dir));
      }
      if (IsCpuset(h)) RETURN_IF_ERROR(CopyCpuset(parent, dir));
    }
    return absl::OkStatus();
  }

  absl::Status CopyCpuset(const std::string& parent, const std::string& dir) {
    for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
      auto mine = cgroupfs::Read(dir, file);
      if (mine.ok() && !mine->empty()) continue;
      ASSIGN_OR_RETURN(std::string value, cgroupfs::Read(parent, file));
      RETURN_IF_ERROR(cgroupfs::Write(dir, file, value, options_.create_missing_files));
    }
    return absl::OkStatus();
  }

  absl::Status WriteTo(const std::string& controller, const std::string& path, const std::string& file,
                       const std::string& value) {
    const Hierarchy* h = Find(controller);
    if (h == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("set ", file, " on cgroup ", path, ": controller ", controller, " is not mounted under ", root_));
    }
    return cgroupfs::Write(cgroupfs::Join(h->dir, path), file, value, options_.create_missing_files);
  }

  absl::Status ApplyCpu(const std::string& path, const CgroupResources& r) {
    if (r.cpu_shares && *r.cpu_shares != 0) {
      RETURN_IF_ERROR(WriteTo("cpu", path, "cpu.shares", std::to_string(*r.cpu_shares)));
    }
    std::optional<std::string> quota;
    if (r.cpu_quota) quota = std::to_string(*r.cpu_quota > 0 ? *r.cpu_quota : -1);
    if (r.cpu_period && *r.cpu_period > 0) {
      // The kernel checks quota against period: if the period write is refused, the quota
      // must go first.
      absl::Status st = WriteTo("cpu", path, "cpu.cfs_period_us", std::to_string(*r.cpu_period));
      if (!st.ok() && quota && absl::IsInvalidArgument(st)) {
        RETURN_IF_ERROR(WriteTo("cpu", path, "cpu.cfs_quota_us", *quota));
        return WriteTo("cpu", path, "cpu.cfs_period_us", std::to_string(*r.cpu_period));
      }
      RETURN_IF_ERROR(st);
    }
    if (quota) RETURN_IF_ERROR(WriteTo("cpu", path, "cpu.cfs_quota_us", *quota));
    return absl::OkStatus();
  }

  absl::Status ApplyCpuset(const std::string& path, const CgroupResources& r) {
    if (r.cpuset_cpus && !r.cpuset_cpus->empty()) {
      RETURN_IF_ERROR(WriteTo("cpuset", path, "cpuset.cpus", *r.cpuset_cpus));
    }
    if (r.cpuset_mems && !r.cpuset_mems->empty()) {
      RETURN_IF_ERROR(WriteTo("cpuset", path, "cpuset.mems", *r.cpuset_mems));
    }
    return absl::OkStatus();
  }

  // memory.memsw.limit_in_bytes must stay >= memory.limit_in_bytes: when raising, memsw goes
  // first; when the limit write is refused (EINVAL) the order is swapped.
  absl::Status ApplyMemory(const std::string& path, const CgroupResources& r) {
    std::optional<std::string> limit, memsw;
    if (r.memory_limit) limit = std::to_string(*r.memory_limit > 0 ? *r.memory_limit : -1);
    bool has_memsw = HasMemsw();
    if (r.memory_swap_limit && *r.memory_swap_limit != 0) {
      if (!has_memsw) {
        return absl::FailedPreconditionError(
            absl::StrCat("set memory+swap limit on cgroup ", path, ": memory.memsw.limit_in_bytes is absent (swap accounting off)"));
      }
      memsw = std::to_string(*r.memory_swap_limit > 0 ? *r.memory_swap_limit : -1);
    } else if (limit && has_memsw && *limit == "-1") {
      memsw = "-1";  // unlimited memory: lift memsw too, or the old one would still bind
    }
    if (!limit && !memsw) return absl::OkStatus();
    if (limit) {
      absl::Status st = WriteTo("memory", path, "memory.limit_in_bytes", *limit);
      if (st.ok()) return memsw ? WriteTo("memory", path, "memory.memsw.limit_in_bytes", *memsw) : st;
      if (!memsw || !absl::IsInvalidArgument(st)) return st;
    }
    RETURN_IF_ERROR(WriteTo("memory", path, "memory.memsw.limit_in_bytes", *memsw));
    return limit ? WriteTo("memory", path, "memory.limit_in_bytes", *limit) : absl::OkStatus();
  }

  bool HasMemsw() const {
    const Hierarchy* h = Find("memory");
    return h != nullptr && PathExists(h->dir + "/memory.memsw.limit_in_bytes");
  }

  // Frozen, nothing can fork between reading the pids and killing them; the kills land at thaw.
  absl::Status FreezeAndKill(const std::string& fdir) {
    RETURN_IF_ERROR(cgroupfs::Write(fdir, "freezer.state", "FROZEN", options_.create_missing_files));
    absl::Status frozen = options_.create_missing_files ? absl::OkStatus()
                                                        : cgroupfs::WaitForValue(fdir, "freezer.state", "FROZEN", kFreezeWaitMs);
    cgroupfs::KillPids(fdir);
    absl::Status thawed = cgroupfs::Write(fdir, "freezer.state", "THAWED", options_.create_missing_files);
    RETURN_IF_ERROR(thawed);
    return frozen.ok() || absl::IsDeadlineExceeded(frozen) ? absl::OkStatus() : frozen;
  }

  // Deny everything, then allow each rule. The kernel checks a child's rules against its
  // parent's, so the parent must allow at least these.
  absl::Status ApplyDevices(const std::string& path, const std::vector<DeviceRule>& allow) {
    for (const DeviceRule& d : allow) RETURN_IF_ERROR(ValidateDeviceAccess(d.access));
    RETURN_IF_ERROR(WriteTo("devices", path, "devices.deny", "a"));
    for (const DeviceRule& d : allow) RETURN_IF_ERROR(WriteTo("devices", path, "devices.allow", DeviceRuleLine(d)));
    return absl::OkStatus();
  }

  absl::Status ApplyHugetlb(const std::string& path, const CgroupResources& r) {
    if (r.hugepage_limits.empty()) return absl::OkStatus();
    const Hierarchy* h = Find("hugetlb");
    if (h == nullptr) return absl::OkStatus();  // no hugetlb controller: nothing to limit
    for (const auto& [size, bytes] : r.hugepage_limits) {
      RETURN_IF_ERROR(cgroup_limits::ValidateHugepageSize(size));
      RETURN_IF_ERROR(cgroupfs::Write(cgroupfs::Join(h->dir, path), absl::StrCat("hugetlb.", size, ".limit_in_bytes"),
                                      std::to_string(bytes), options_.create_missing_files));
    }
    return absl::OkStatus();
  }

  std::string root_;
  std::vector<Hierarchy> hierarchies_;
  CgroupDriverOptions options_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<CgroupDriver>> NewCgroupV1Driver(const std::string& mount_root,
                                                                CgroupDriverOptions options) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(mount_root));
  std::vector<Hierarchy> hierarchies;
  for (const std::string& name : names) {
    std::string dir = absl::StrCat(mount_root, "/", name);
    if (!IsRealDir(dir) || !IsV1Hierarchy(dir, options.create_missing_files)) continue;  // symlinks are aliases
    hierarchies.push_back({dir, ControllersOfName(name)});
  }
  if (hierarchies.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("no cgroup v1 hierarchy mounted under ", mount_root));
  }
  return std::unique_ptr<CgroupDriver>(new CgroupV1Driver(mount_root, std::move(hierarchies), options));
}

}  // namespace podagent
