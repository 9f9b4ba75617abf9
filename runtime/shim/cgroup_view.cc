#include "runtime/shim/cgroup_view.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>

#include <cstdint>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/shim/in_root.h"

namespace podagent::shim {
namespace {

constexpr char kCgroupDir[] = "/sys/fs/cgroup";  // inside the container
constexpr char kProcs[] = "/cgroup.procs";

absl::Status SetAttr(const std::string& path, unsigned flags, uint64_t set, const std::string& what) {
  struct mount_attr attr {};
  attr.attr_set = set;
  if (::syscall(SYS_mount_setattr, AT_FDCWD, path.c_str(), flags, &attr, sizeof attr) != 0) {
    return ErrnoError(absl::StrCat("mount_setattr ", what));
  }
  return absl::OkStatus();
}

// Binds `host_dir` (a cgroup directory the daemon made: nothing in the container can change it)
// onto `dest` inside the root, then sets the bind's attributes through a fresh open (an fd opened
// before the mount still names the directory underneath).
absl::Status BindCgroupDir(int root_fd, const std::string& host_dir, const std::string& dest, bool readonly) {
  {
    ASSIGN_OR_RETURN(UniqueFd target, MkdirAllInRoot(root_fd, dest));
    std::string t = FdPath(target.Get());
    if (::mount(host_dir.c_str(), t.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      return ErrnoError(absl::StrCat("bind cgroup ", host_dir, " on ", dest));
    }
  }
  ASSIGN_OR_RETURN(UniqueFd mounted, OpenInRoot(root_fd, dest));
  uint64_t attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | (readonly ? MOUNT_ATTR_RDONLY : 0);
  return SetAttr(FdPath(mounted.Get()), 0, attrs, dest);
}

absl::Status MountV1(const std::vector<CgroupMount>& mounts, int root_fd, bool readonly) {
  ASSIGN_OR_RETURN(UniqueFd dir, MkdirAllInRoot(root_fd, kCgroupDir));
  std::string t = FdPath(dir.Get());
  if (::mount("cgroup", t.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=64k") != 0) {
    return ErrnoError("mount tmpfs on /sys/fs/cgroup");
  }
  for (const CgroupMount& m : mounts) {
    if (m.name.empty() || m.name.find('/') != std::string::npos || m.name[0] == '.') {
      return absl::InvalidArgumentError(absl::StrCat("cgroup hierarchy name \"", m.name, "\" is not a plain name"));
    }
    RETURN_IF_ERROR(BindCgroupDir(root_fd, m.host_dir, absl::StrCat(kCgroupDir, "/", m.name), readonly));
  }
  if (!readonly) return absl::OkStatus();
  ASSIGN_OR_RETURN(UniqueFd top, OpenInRoot(root_fd, kCgroupDir));
  return SetAttr(FdPath(top.Get()), 0, MOUNT_ATTR_RDONLY, "/sys/fs/cgroup tmpfs read-only");
}

}  // namespace

absl::StatusOr<std::vector<CgroupMount>> CgroupMountsFor(bool v2, const std::string& mount_root,
                                                         const std::vector<std::string>& procs_files) {
  std::vector<CgroupMount> out;
  const size_t suffix = sizeof(kProcs) - 1;
  for (const std::string& f : procs_files) {
    if (!absl::StartsWith(f, mount_root + "/") || !absl::EndsWith(f, kProcs) ||
        f.size() <= mount_root.size() + 1 + suffix) {
      return absl::InvalidArgumentError(absl::StrCat("cgroup file ", f, " is not a cgroup.procs under ", mount_root));
    }
    std::string dir = f.substr(0, f.size() - suffix);
    if (v2) {
      out.push_back({"", dir});
      continue;
    }
    std::string rest = dir.substr(mount_root.size() + 1);
    out.push_back({rest.substr(0, rest.find('/')), dir});
  }
  if (v2 && out.size() > 1) {
    return absl::InvalidArgumentError(absl::StrCat("cgroup v2 has one cgroup.procs per cgroup, the spec gives ", out.size()));
  }
  return out;
}

bool IsCgroupV2(const std::string& mount_root) {
  struct statfs fs {};
  return ::statfs(mount_root.c_str(), &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

bool WantsCgroupNamespace(const ContainerSpec& spec) {
  return spec.cgroup_namespace && !spec.cgroup_procs_files.empty();
}

absl::Status MountCgroupView(const ContainerSpec& spec, int root_fd) {
  if (spec.cgroup_procs_files.empty()) return absl::OkStatus();
  bool v2 = IsCgroupV2(kCgroupMountRoot);
  ASSIGN_OR_RETURN(std::vector<CgroupMount> mounts, CgroupMountsFor(v2, kCgroupMountRoot, spec.cgroup_procs_files));
  bool readonly = !spec.privileged;
  if (v2) return BindCgroupDir(root_fd, mounts[0].host_dir, kCgroupDir, readonly);
  return MountV1(mounts, root_fd, readonly);
}

}  // namespace podagent::shim
