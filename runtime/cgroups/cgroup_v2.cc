// cgroup v2: one unified tree. Controllers are enabled top-down through each ancestor's
// cgroup.subtree_control before a cgroup is made, so its resource files exist.

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/cgroups/cgroup_files.h"
#include "runtime/cgroups/cgroup_limits.h"
#include "runtime/cgroups/device_bpf.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"

namespace podagent {
namespace {

constexpr int kKillWaitMs = 5000;
constexpr int kFreezeWaitMs = 1000;

std::vector<std::string> SplitWords(const std::string& s) {
  std::vector<std::string> out;
  for (absl::string_view w : absl::StrSplit(s, absl::ByAnyChar(" \n"), absl::SkipEmpty())) out.emplace_back(w);
  return out;
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

class CgroupV2Driver : public CgroupDriver {
 public:
  CgroupV2Driver(std::string root, std::vector<std::string> controllers, CgroupDriverOptions options)
      : root_(std::move(root)), controllers_(std::move(controllers)), options_(options) {}

  bool IsV2() const override { return true; }
  std::string MountRoot() const override { return root_; }
  std::vector<std::string> Controllers() const override { return controllers_; }

  absl::Status Create(const std::string& path) override {
    RETURN_IF_ERROR(cgroupfs::ValidatePath(path));
    std::string dir = root_;
    std::vector<std::string> available = controllers_;  // what the level's parent delegated
    for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
      ASSIGN_OR_RETURN(available, EnableControllers(dir, available));
      dir = absl::StrCat(dir, "/", part);
      if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        return ErrnoError(absl::StrCat("create cgroup ", path, ": mkdir ", dir));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Apply(const std::string& path, const CgroupResources& r) override {
    RETURN_IF_ERROR(cgroupfs::ValidatePath(path));
    std::string dir = cgroupfs::Join(root_, path);
    RETURN_IF_ERROR(ApplyCpu(dir, r));
    RETURN_IF_ERROR(ApplyMemory(dir, r));
    if (r.pids_limit) RETURN_IF_ERROR(Write(dir, "pids.max", cgroup_limits::PidsMax(*r.pids_limit)));
    RETURN_IF_ERROR(ApplyHugetlb(dir, r));
    if (r.memory_oom_group) RETURN_IF_ERROR(Write(dir, "memory.oom.group", *r.memory_oom_group ? "1" : "0"));
    for (const auto& [key, value] : r.unified) {
      RETURN_IF_ERROR(cgroup_limits::ValidateUnifiedKey(key));
      RETURN_IF_ERROR(Write(dir, key, value));
    }
    if (r.devices) RETURN_IF_ERROR(Annotate(AttachDeviceProgram(dir, *r.devices), "apply cgroup " + path));
    return absl::OkStatus();
  }

  absl::Status Check(const CgroupResources& r) const override {
    if (r.memory_swap_limit && *r.memory_swap_limit > 0) {  // memory.swap.max is swap - memory
      auto swap = cgroup_limits::SwapMax(r.memory_limit.value_or(0), *r.memory_swap_limit);
      if (!swap.ok()) return swap.status();
    }
    return CgroupDriver::Check(r);
  }

  absl::Status AddProcess(const std::string& path, pid_t pid) override {
    RETURN_IF_ERROR(cgroupfs::ValidatePath(path));
    return Write(cgroupfs::Join(root_, path), "cgroup.procs", std::to_string(pid));
  }

  std::vector<std::string> ProcsFiles(const std::string& path) const override {
    return {cgroupfs::Join(root_, path) + "/cgroup.procs"};
  }

  absl::StatusOr<std::vector<pid_t>> Pids(const std::string& path) const override {
    RETURN_IF_ERROR(cgroupfs::ValidatePath(path));
    return cgroupfs::ReadProcsRecursive(cgroupfs::Join(root_, path));
  }

  std::string Dir(const std::string& path, const std::string&) const override {
    return cgroupfs::Join(root_, path);
  }

  absl::Status Destroy(const std::string& path) override {
    RETURN_IF_ERROR(cgroupfs::ValidatePath(path));
    if (path == "/") return absl::InvalidArgumentError("destroy cgroup /: refusing to remove the root");
    return Annotate(cgroupfs::KillAndRemove(cgroupfs::Join(root_, path), "cgroup.kill", options_.create_missing_files),
                    absl::StrCat("destroy cgroup ", path));
  }

  absl::Status Kill(const std::string& path) override {
    RETURN_IF_ERROR(cgroupfs::ValidatePath(path));
    if (path == "/") return absl::InvalidArgumentError("kill cgroup /: refusing to kill the root");
    std::string dir = cgroupfs::Join(root_, path);
    struct stat st;
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return absl::OkStatus();
    // Linux 5.14+: the kernel kills the subtree atomically.
    absl::Status killed = PathExists(dir + "/cgroup.kill") ? Write(dir, "cgroup.kill", "1") : FreezeAndKill(dir);
    // NotFound: the cgroup went while this ran (systemd removes an emptied scope's at once); the
    // wait below kills by pid whatever may still be listed and sees the directory gone.
    if (!killed.ok() && !absl::IsNotFound(killed)) return Annotate(killed, "kill cgroup " + path);
    return Annotate(cgroupfs::WaitEmpty(dir, kKillWaitMs, true), "kill cgroup " + path);
  }

  bool Exists(const std::string& path) const override {
    struct stat st;
    return cgroupfs::ValidatePath(path).ok() && ::lstat(cgroupfs::Join(root_, path).c_str(), &st) == 0 &&
           S_ISDIR(st.st_mode);
  }

 private:
  absl::Status Write(const std::string& dir, const std::string& file, const std::string& value) {
    return cgroupfs::Write(dir, file, value, options_.create_missing_files);
  }

  // Enables every controller of `available` in `dir`/cgroup.subtree_control that is not on yet;
  // returns what the children of `dir` get.
  absl::StatusOr<std::vector<std::string>> EnableControllers(const std::string& dir,
                                                             const std::vector<std::string>& available) {
    auto current = cgroupfs::Read(dir, "cgroup.subtree_control");
    std::vector<std::string> enabled = current.ok() ? SplitWords(*current) : std::vector<std::string>{};
    for (const std::string& c : available) {
      if (Contains(enabled, c)) continue;
      absl::Status st = Write(dir, "cgroup.subtree_control", "+" + c);
      if (!st.ok()) {
        return Annotate(st, absl::StrCat("enable controller ", c, " in ", dir,
                                         " (a cgroup with processes cannot delegate controllers)"));
      }
      enabled.push_back(c);
    }
    return enabled;
  }

  absl::Status FreezeAndKill(const std::string& dir) {
    RETURN_IF_ERROR(Write(dir, "cgroup.freeze", "1"));
    absl::Status frozen = options_.create_missing_files ? absl::OkStatus()
                                                        : cgroupfs::WaitForValue(dir, "cgroup.events", "frozen 1", kFreezeWaitMs);
    cgroupfs::KillPids(dir);
    RETURN_IF_ERROR(Write(dir, "cgroup.freeze", "0"));
    return frozen.ok() || absl::IsDeadlineExceeded(frozen) ? absl::OkStatus() : frozen;
  }

  absl::Status ApplyCpu(const std::string& dir, const CgroupResources& r) {
    if (r.cpu_shares && *r.cpu_shares != 0) {
      RETURN_IF_ERROR(Write(dir, "cpu.weight", std::to_string(cgroup_limits::CpuWeightFromShares(*r.cpu_shares))));
    }
    if (r.cpu_quota || r.cpu_period) {
      RETURN_IF_ERROR(Write(dir, "cpu.max", cgroup_limits::CpuMax(r.cpu_quota.value_or(0), r.cpu_period.value_or(0))));
    }
    if (r.cpuset_cpus && !r.cpuset_cpus->empty()) RETURN_IF_ERROR(Write(dir, "cpuset.cpus", *r.cpuset_cpus));
    if (r.cpuset_mems && !r.cpuset_mems->empty()) RETURN_IF_ERROR(Write(dir, "cpuset.mems", *r.cpuset_mems));
    return absl::OkStatus();
  }

  absl::Status ApplyMemory(const std::string& dir, const CgroupResources& r) {
    int64_t memory = r.memory_limit.value_or(0);
    if (r.memory_swap_limit && *r.memory_swap_limit != 0) {
      ASSIGN_OR_RETURN(std::string swap, cgroup_limits::SwapMax(memory, *r.memory_swap_limit));
      if (PathExists(dir + "/memory.swap.max") || options_.create_missing_files) {
        RETURN_IF_ERROR(Write(dir, "memory.swap.max", swap));
      } else if (swap != "max") {
        return absl::FailedPreconditionError(
            absl::StrCat("set swap limit in ", dir, ": memory.swap.max is absent (swap accounting off)"));
      }
    }
    if (r.memory_limit) RETURN_IF_ERROR(Write(dir, "memory.max", memory > 0 ? std::to_string(memory) : "max"));
    return absl::OkStatus();
  }

  absl::Status ApplyHugetlb(const std::string& dir, const CgroupResources& r) {
    if (r.hugepage_limits.empty() || !Contains(controllers_, "hugetlb")) return absl::OkStatus();
    for (const auto& [size, bytes] : r.hugepage_limits) {
      RETURN_IF_ERROR(cgroup_limits::ValidateHugepageSize(size));
      RETURN_IF_ERROR(Write(dir, absl::StrCat("hugetlb.", size, ".max"), std::to_string(bytes)));
    }
    return absl::OkStatus();
  }

  std::string root_;
  std::vector<std::string> controllers_;
  CgroupDriverOptions options_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<CgroupDriver>> NewCgroupV2Driver(const std::string& mount_root,
                                                                CgroupDriverOptions options) {
  ASSIGN_OR_RETURN(std::string controllers, cgroupfs::Read(mount_root, "cgroup.controllers"));
  return std::unique_ptr<CgroupDriver>(new CgroupV2Driver(mount_root, SplitWords(controllers), options));
}

}  // namespace podagent
