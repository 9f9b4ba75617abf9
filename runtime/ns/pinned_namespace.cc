#include "runtime/ns/pinned_namespace.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/common/unique_fd.h"

namespace podagent {
namespace {

std::string DirOf(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

// The /proc/self/mountinfo line whose mount point is `dir` (the last, topmost one), or "".
std::string MountInfoLine(const std::string& dir) {
  auto mountinfo = ReadFile("/proc/self/mountinfo");
  if (!mountinfo.ok()) return "";
  std::string found;
  for (absl::string_view line : absl::StrSplit(*mountinfo, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    if (f.size() > 4 && f[4] == dir) found = std::string(line);  // field 5: the mount point
  }
  return found;
}

}  // namespace

PinnedNamespace& PinnedNamespace::operator=(PinnedNamespace&& o) noexcept {
  if (this != &o) {
    (void)Remove();
    path_ = std::move(o.path_);
    o.path_.clear();
  }
  return *this;
}

PinnedNamespace::~PinnedNamespace() { (void)Remove(); }

std::string PinnedNamespace::Release() { return std::exchange(path_, std::string()); }

absl::Status PinnedNamespace::Remove() {
  if (path_.empty()) return absl::OkStatus();
  RETURN_IF_ERROR(Unpin(path_));
  path_.clear();
  return absl::OkStatus();
}

absl::StatusOr<PinnedNamespace> PinnedNamespace::Pin(pid_t pid, const std::string& type, const std::string& path) {
  RETURN_IF_ERROR(MakeSharedMountDir(DirOf(path)));
  if (IsNamespacePin(path)) return absl::AlreadyExistsError(absl::StrCat("pin namespace at ", path, ": already pinned"));
  {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0444));
    if (!fd) return ErrnoError(absl::StrCat("create ", path));
  }
  std::string source = absl::StrCat("/proc/", pid, "/ns/", type);
  if (::mount(source.c_str(), path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    absl::Status st = ErrnoError(absl::StrCat("bind mount ", source, " on ", path));
    ::unlink(path.c_str());
    return st;
  }
  PinnedNamespace pin;
  pin.path_ = path;
  return pin;
}

absl::Status Unpin(const std::string& path) {
  // Stacked mounts (a retried pin) come off one by one.
  for (int i = 0; i < 8 && ::umount2(path.c_str(), MNT_DETACH) == 0; ++i) {
  }
  if (errno != EINVAL && errno != ENOENT) return ErrnoError(absl::StrCat("umount ", path));
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoError(absl::StrCat("unlink ", path));
  return absl::OkStatus();
}

absl::Status MakeSharedMountDir(const std::string& dir) {
  RETURN_IF_ERROR(MakeDirs(dir));
  std::string line = MountInfoLine(dir);
  if (line.find(" shared:") != std::string::npos) return absl::OkStatus();  // never re-made: peers would be cut off
  if (line.empty() && ::mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    return ErrnoError(absl::StrCat("bind mount ", dir, " on itself"));
  }
  if (::mount(nullptr, dir.c_str(), nullptr, MS_SHARED, nullptr) != 0) {
    return ErrnoError(absl::StrCat("make ", dir, " a shared mount"));
  }
  return absl::OkStatus();
}

absl::Status UnmountSharedMountDir(const std::string& dir) {
  if (MountInfoLine(dir).empty()) return absl::OkStatus();
  if (::umount2(dir.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
    return ErrnoError(absl::StrCat("umount ", dir));
  }
  return absl::OkStatus();
}

bool IsNamespacePin(const std::string& path) {
  struct statfs fs;
  return ::statfs(path.c_str(), &fs) == 0 && static_cast<unsigned long>(fs.f_type) == NSFS_MAGIC;
}

absl::StatusOr<ino_t> NamespaceInode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoError(absl::StrCat("stat ", path));
  return st.st_ino;
}

}  // namespace podagent
