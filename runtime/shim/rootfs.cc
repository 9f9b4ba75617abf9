#include "runtime/shim/rootfs.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_join.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/shim/cgroup_view.h"
#include "runtime/shim/devices.h"
#include "runtime/shim/in_root.h"

namespace podagent::shim {
namespace {

constexpr size_t kPageLimit = 4095;  // mount data is one page including the final NUL

absl::Status Mount(const std::string& source, const std::string& target, const char* fstype, unsigned long flags,
                   const std::string& data, const std::string& what) {
  if (::mount(source.empty() ? nullptr : source.c_str(), target.c_str(), fstype, flags,
              data.empty() ? nullptr : data.c_str()) != 0) {
    return ErrnoError(absl::StrCat("mount ", what));
  }
  return absl::OkStatus();
}

absl::Status SetAttr(const std::string& path, uint64_t attr_set, bool recursive, const std::string& what) {
  struct mount_attr attr {};
  attr.attr_set = attr_set;
  unsigned flags = recursive ? AT_RECURSIVE : 0;
  if (::syscall(SYS_mount_setattr, AT_FDCWD, path.c_str(), flags, &attr, sizeof attr) != 0) {
    return ErrnoError(absl::StrCat("set mount attributes of ", what));
  }
  return absl::OkStatus();
}

absl::Status SetReadonly(const std::string& path, bool recursive, const std::string& what) {
  struct mount_attr attr {};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  unsigned flags = recursive ? AT_RECURSIVE : 0;
  if (::syscall(SYS_mount_setattr, AT_FDCWD, path.c_str(), flags, &attr, sizeof attr) != 0) {
    return ErrnoError(absl::StrCat("make ", what, " read-only"));
  }
  return absl::OkStatus();
}

unsigned long PropagationFlag(Propagation p) {
  switch (p) {
    case Propagation::kRSlave: return MS_SLAVE | MS_REC;
    case Propagation::kRShared: return MS_SHARED | MS_REC;
    default: return MS_PRIVATE | MS_REC;
  }
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string UnescapeMountPath(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
      out.push_back(static_cast<char>(v));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string CommonDir(const std::vector<std::string>& paths) {
  std::string common = paths.front();
  for (const auto& p : paths) {
    size_t i = 0;
    while (i < common.size() && i < p.size() && common[i] == p[i]) ++i;
    common.resize(i);
  }
  auto slash = common.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : common.substr(0, slash);
}

absl::Status MountRootFiles(const ContainerSpec& spec, const std::string& rootfs);

// The image's files never carry usable device nodes: nodev on the root (devices live on the
// /dev tmpfs, or are bound in from the host). A privileged container keeps the image as it is.
absl::Status MountRoot(const ContainerSpec& spec, const std::string& rootfs) {
  RETURN_IF_ERROR(MountRootFiles(spec, rootfs));
  if (spec.privileged) return absl::OkStatus();
  return SetAttr(rootfs, MOUNT_ATTR_NODEV, false, "rootfs (nodev)");
}

absl::Status MountRootFiles(const ContainerSpec& spec, const std::string& rootfs) {
  RETURN_IF_ERROR(MakeDirs(rootfs));
  if (spec.lower_dirs.empty()) {
    return Mount(spec.rootfs_dir, rootfs, nullptr, MS_BIND | MS_REC, "", "rootfs " + spec.rootfs_dir);
  }
  if (spec.upper_dir.empty() && spec.lower_dirs.size() == 1) {
    RETURN_IF_ERROR(Mount(spec.lower_dirs[0], rootfs, nullptr, MS_BIND | MS_REC, "", "rootfs " + spec.lower_dirs[0]));
    return SetReadonly(rootfs, false, "rootfs");
  }
  ASSIGN_OR_RETURN(OverlayOptions opts, BuildOverlayOptions(spec.lower_dirs, spec.upper_dir, spec.work_dir));
  if (!opts.chdir_to.empty() && ::chdir(opts.chdir_to.c_str()) != 0) return ErrnoError("chdir " + opts.chdir_to);
  return Mount("overlay", rootfs, "overlay", 0, opts.data, "overlay rootfs at " + rootfs);
}

absl::Status MakeDevNodes(int root_fd) {
  ASSIGN_OR_RETURN(UniqueFd dev, OpenInRoot(root_fd, "/dev"));
  UniqueFd devdir(::openat(dev.Get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!devdir) return ErrnoError("open /dev in rootfs");
  struct Node {
    const char* name;
    unsigned major, minor;
  };
  static const Node kNodes[] = {{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7},
                                {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
  for (const Node& n : kNodes) {
    if (::mknodat(devdir.Get(), n.name, S_IFCHR | 0666, makedev(n.major, n.minor)) != 0) {
      return ErrnoError(absl::StrCat("mknod /dev/", n.name));
    }
    if (::fchmodat(devdir.Get(), n.name, 0666, 0) != 0) return ErrnoError(absl::StrCat("chmod /dev/", n.name));
  }
  static const std::pair<const char*, const char*> kLinks[] = {
      {"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
      {"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"}, {"/proc/kcore", "core"}};
  for (const auto& [target, name] : kLinks) {
    if (::symlinkat(target, devdir.Get(), name) != 0) return ErrnoError(absl::StrCat("symlink /dev/", name));
  }
  return absl::OkStatus();
}

absl::Status MountDev(const ContainerSpec& spec, int root_fd) {
  ASSIGN_OR_RETURN(UniqueFd dev, MkdirAllInRoot(root_fd, "/dev"));
  if (spec.privileged) {
    RETURN_IF_ERROR(Mount("/dev", FdPath(dev.Get()), nullptr, MS_BIND | MS_REC, "", "/dev (privileged)"));
  } else {
    RETURN_IF_ERROR(Mount("tmpfs", FdPath(dev.Get()), "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", "/dev"));
    RETURN_IF_ERROR(MakeDevNodes(root_fd));
  }
  ASSIGN_OR_RETURN(UniqueFd pts, MkdirAllInRoot(root_fd, "/dev/pts"));
  RETURN_IF_ERROR(Mount("devpts", FdPath(pts.Get()), "devpts", MS_NOSUID | MS_NOEXEC,
                        "newinstance,ptmxmode=0666,mode=0620,gid=5", "/dev/pts"));
  ASSIGN_OR_RETURN(UniqueFd shm, MkdirAllInRoot(root_fd, "/dev/shm", 01777));
  if (!spec.shm_path.empty()) {
    RETURN_IF_ERROR(Mount(spec.shm_path, FdPath(shm.Get()), nullptr, MS_BIND | MS_REC, "", "pod shm " + spec.shm_path));
  } else {
    RETURN_IF_ERROR(Mount("shm", FdPath(shm.Get()), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k", "/dev/shm"));
  }
  ASSIGN_OR_RETURN(UniqueFd mq, MkdirAllInRoot(root_fd, "/dev/mqueue"));
  return Mount("mqueue", FdPath(mq.Get()), "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, "", "/dev/mqueue");
}

absl::Status MountProcAndSys(const ContainerSpec& spec, int root_fd) {
  ASSIGN_OR_RETURN(UniqueFd proc, MkdirAllInRoot(root_fd, "/proc"));
  RETURN_IF_ERROR(Mount("proc", FdPath(proc.Get()), "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, "", "/proc"));
  ASSIGN_OR_RETURN(UniqueFd sys, MkdirAllInRoot(root_fd, "/sys"));
  unsigned long ro = spec.privileged ? 0 : MS_RDONLY;
  absl::Status st = Mount("sysfs", FdPath(sys.Get()), "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | ro, "", "/sys");
  if (!st.ok()) {  // host network without the right to a fresh sysfs: bind the host's
    RETURN_IF_ERROR(Mount("/sys", FdPath(sys.Get()), nullptr, MS_BIND | MS_REC, "", "/sys (bind)"));
    if (!spec.privileged) RETURN_IF_ERROR(SetReadonly(FdPath(sys.Get()), true, "/sys"));
  }
  return absl::OkStatus();
}

absl::Status BindInto(int root_fd, const std::string& source, const std::string& dest, bool readonly,
                      bool recursive_readonly, Propagation propagation) {
  struct stat st;
  if (::stat(source.c_str(), &st) != 0) return ErrnoError(absl::StrCat("stat mount source ", source));
  ASSIGN_OR_RETURN(UniqueFd target, MountTargetInRoot(root_fd, dest, S_ISDIR(st.st_mode)));
  std::string t = FdPath(target.Get());
  RETURN_IF_ERROR(Mount(source, t, nullptr, MS_BIND | MS_REC, "", absl::StrCat(source, " on ", dest)));
  // Re-open: the fd still names the directory under the new mount.
  ASSIGN_OR_RETURN(UniqueFd mounted, OpenInRoot(root_fd, dest));
  t = FdPath(mounted.Get());
  // Non-recursive: a mount below the bind (a tmpfs the host put there) keeps its own flags.
  if (readonly) RETURN_IF_ERROR(SetReadonly(t, recursive_readonly, dest));
  return Mount("", t, nullptr, PropagationFlag(propagation), "", absl::StrCat("propagation of ", dest));
}

// The mount point that holds `path` (the longest mount point in /proc/self/mountinfo that is a
// directory prefix of it), made private in this mount namespace.
absl::Status MakeParentMountPrivate(const std::string& path) {
  ASSIGN_OR_RETURN(std::string info, ReadFile("/proc/self/mountinfo"));
  char real[PATH_MAX];
  if (::realpath(path.c_str(), real) == nullptr) return ErrnoError("realpath " + path);
  std::string target = real, best = "/";
  for (absl::string_view line : absl::StrSplit(info, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    if (f.size() < 5) continue;
    std::string mp = UnescapeMountPath(f[4]);
    bool under = mp == "/" || target == mp || absl::StartsWith(target, mp + "/");
    if (under && mp.size() > best.size()) best = mp;
  }
  return Mount("", best, nullptr, MS_PRIVATE, "", "private " + best + " (parent of the rootfs)");
}

absl::Status PivotRoot(const std::string& rootfs) {
  UniqueFd old_root(::open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  UniqueFd new_root(::open(rootfs.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
  if (!old_root || !new_root) return ErrnoError("open roots for pivot_root");
  if (::fchdir(new_root.Get()) != 0) return ErrnoError("chdir " + rootfs);
  if (::syscall(SYS_pivot_root, ".", ".") != 0) return ErrnoError("pivot_root " + rootfs);
  // The old root now sits under the new one at "."; detach it without propagating to the host.
  if (::fchdir(old_root.Get()) != 0) return ErrnoError("chdir old root");
  if (::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) return ErrnoError("make old root rslave");
  if (::umount2(".", MNT_DETACH) != 0) return ErrnoError("umount old root");
  if (::chdir("/") != 0) return ErrnoError("chdir /");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<OverlayOptions> BuildOverlayOptions(const std::vector<std::string>& lowers,
                                                   const std::string& upper, const std::string& work) {
  auto render = [&](const std::string& base) {
    auto rel = [&](const std::string& p) {
      if (base.empty()) return p;
      return base == "/" ? p.substr(1) : p.substr(base.size() + 1);
    };
    std::vector<std::string> top_first;
    for (auto it = lowers.rbegin(); it != lowers.rend(); ++it) top_first.push_back(rel(*it));
    std::string data = "lowerdir=" + absl::StrJoin(top_first, ":");
    if (!upper.empty()) data += absl::StrCat(",upperdir=", upper, ",workdir=", work);
    return data;
  };
  OverlayOptions o{render(""), ""};
  if (o.data.size() <= kPageLimit) return o;
  std::string base = CommonDir(lowers);
  o = OverlayOptions{render(base), base};
  if (o.data.size() <= kPageLimit) return o;
  return absl::InvalidArgumentError(absl::StrCat("overlay options for ", lowers.size(), " layers are ", o.data.size(),
                                                 " bytes even with relative paths; the limit is one page"));
}

absl::Status BuildRootfs(const ContainerSpec& spec) {
  // Our copy of the host's mounts: rslave, so nothing mounted here reaches the host, unless a
  // volume is BIDIRECTIONAL: then it must stay a peer of the host's mount (an rslave copy made
  // shared again would only propagate among the container's own mounts), so / stays rshared and
  // the mount the rootfs sits on is made private instead, which keeps the rootfs, everything
  // mounted under it, and pivot_root (EINVAL under a shared parent) away from the host.
  bool shared = std::any_of(spec.mounts.begin(), spec.mounts.end(),
                            [](const MountSpec& m) { return m.propagation == Propagation::kRShared; });
  unsigned long root_flags = (shared ? MS_SHARED : MS_SLAVE) | MS_REC;
  if (::mount(nullptr, "/", nullptr, root_flags, nullptr) != 0) return ErrnoError("set propagation of /");
  std::string rootfs = spec.state_dir + "/rootfs";
  RETURN_IF_ERROR(MakeDirs(rootfs));
  RETURN_IF_ERROR(MakeParentMountPrivate(rootfs));
  RETURN_IF_ERROR(MountRoot(spec, rootfs));
  UniqueFd root_fd(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd) return ErrnoError("open " + rootfs);
  RETURN_IF_ERROR(MountProcAndSys(spec, root_fd.Get()));
  RETURN_IF_ERROR(MountCgroupView(spec, root_fd.Get()));
  RETURN_IF_ERROR(MountDev(spec, root_fd.Get()));
  const std::pair<const std::string*, const char*> pod_files[] = {
      {&spec.hosts_path, "/etc/hosts"}, {&spec.resolv_conf_path, "/etc/resolv.conf"}, {&spec.hostname_path, "/etc/hostname"}};
  for (const auto& [src, dest] : pod_files) {
    if (!src->empty()) RETURN_IF_ERROR(BindInto(root_fd.Get(), *src, dest, false, false, Propagation::kPrivate));
  }
  for (const MountSpec& m : spec.mounts) {
    RETURN_IF_ERROR(BindInto(root_fd.Get(), m.source, m.destination, m.readonly, m.recursive_readonly, m.propagation));
  }
  RETURN_IF_ERROR(BindDevices(spec, root_fd.Get()));
  ASSIGN_OR_RETURN(UniqueFd cwd, MkdirAllInRoot(root_fd.Get(), spec.process.cwd));
  return PivotRoot(rootfs);
}

absl::Status FinishRootfs(const ContainerSpec& spec) {
  for (const std::string& p : spec.masked_paths) {
    struct stat st;
    if (::stat(p.c_str(), &st) != 0) continue;  // absent: nothing to hide
    if (S_ISDIR(st.st_mode)) {
      RETURN_IF_ERROR(Mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0", "mask " + p));
    } else {
      RETURN_IF_ERROR(Mount("/dev/null", p, nullptr, MS_BIND, "", "mask " + p));
    }
  }
  for (const std::string& p : spec.readonly_paths) {
    if (::access(p.c_str(), F_OK) != 0) continue;
    RETURN_IF_ERROR(Mount(p, p, nullptr, MS_BIND | MS_REC, "", "bind " + p));
    RETURN_IF_ERROR(SetReadonly(p, true, p));
  }
  if (spec.readonly_rootfs) RETURN_IF_ERROR(SetReadonly("/", false, "rootfs"));
  return absl::OkStatus();
}

}  // namespace podagent::shim
