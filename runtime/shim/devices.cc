#include "runtime/shim/devices.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/common/unique_fd.h"
#include "runtime/shim/in_root.h"

namespace podagent::shim {
namespace {

std::string StagingDir(const ContainerSpec& spec) { return spec.state_dir + "/devices"; }

bool Skipped(const ContainerSpec& spec, const DeviceSpec& d) {
  return spec.privileged && absl::StartsWith(d.container_path, "/dev/");
}

absl::Status StageOne(int dir_fd, size_t index, const DeviceSpec& d) {
  struct stat st;
  if (::stat(d.host_path.c_str(), &st) != 0) return ErrnoError("stat device " + d.host_path);
  if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat("device ", d.host_path, " is not a character or block device"));
  }
  std::string name = std::to_string(index);
  if (::unlinkat(dir_fd, name.c_str(), 0) != 0 && errno != ENOENT) return ErrnoError("remove staged device " + name);
  if (::mknodat(dir_fd, name.c_str(), st.st_mode & (S_IFMT | 07777), st.st_rdev) != 0) {
    return ErrnoError("mknod copy of " + d.host_path);
  }
  if (::fchownat(dir_fd, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0) {
    return ErrnoError("chown copy of " + d.host_path);
  }
  if (::fchmodat(dir_fd, name.c_str(), st.st_mode & 07777, 0) != 0) return ErrnoError("chmod copy of " + d.host_path);
  return absl::OkStatus();
}

// The bind of a node from a nodev file system (the run dir on /run) is nodev too: clear it on
// this one mount.
absl::Status ClearNodev(int root_fd, const std::string& path) {
  ASSIGN_OR_RETURN(UniqueFd mounted, OpenInRoot(root_fd, path));
  struct mount_attr attr {};
  attr.attr_clr = MOUNT_ATTR_NODEV;
  if (::syscall(SYS_mount_setattr, mounted.Get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0) {
    return ErrnoError("allow device use on " + path);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status StageDeviceNodes(const ContainerSpec& spec) {
  if (spec.devices.empty()) return absl::OkStatus();
  std::string dir = StagingDir(spec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return ErrnoError("mkdir " + dir);
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir_fd) return ErrnoError("open " + dir);
  for (size_t i = 0; i < spec.devices.size(); ++i) {
    if (Skipped(spec, spec.devices[i])) continue;
    RETURN_IF_ERROR(StageOne(dir_fd.Get(), i, spec.devices[i]));
  }
  return absl::OkStatus();
}

absl::Status BindDevices(const ContainerSpec& spec, int root_fd) {
  for (size_t i = 0; i < spec.devices.size(); ++i) {
    const DeviceSpec& d = spec.devices[i];
    if (Skipped(spec, d)) continue;
    std::string staged = absl::StrCat(StagingDir(spec), "/", i);
    ASSIGN_OR_RETURN(UniqueFd target, MountTargetInRoot(root_fd, d.container_path, false));
    if (::mount(staged.c_str(), FdPath(target.Get()).c_str(), nullptr, MS_BIND, nullptr) != 0) {
      return ErrnoError(absl::StrCat("bind device ", d.host_path, " on ", d.container_path));
    }
    RETURN_IF_ERROR(ClearNodev(root_fd, d.container_path));
  }
  return absl::OkStatus();
}

}  // namespace podagent::shim
