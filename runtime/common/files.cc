#include "runtime/common/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <random>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/common/unique_fd.h"

namespace podagent {
namespace {

absl::Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return KernelFileError(absl::StrCat("write ", path));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

std::string DirName(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string TempSuffix() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return absl::StrCat(".tmp-", ::getpid(), "-", rng() % 1000000007);
}

}  // namespace

absl::Status WriteFileAtomic(const std::string& path, std::string_view content, mode_t mode) {
  std::string tmp = path + TempSuffix();
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!fd) return ErrnoError(absl::StrCat("create ", tmp));
  absl::Status st = WriteAll(fd.Get(), content, tmp);
  if (st.ok() && ::fsync(fd.Get()) != 0) st = ErrnoError(absl::StrCat("fsync ", tmp));
  fd.Reset();
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    st = ErrnoError(absl::StrCat("rename ", tmp, " to ", path));
  }
  if (!st.ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  return SyncDir(DirName(path));
}

absl::Status SyncDir(const std::string& dir) {
  UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dfd) return ErrnoError(absl::StrCat("open ", dir));
  if (::fsync(dfd.Get()) != 0) return ErrnoError(absl::StrCat("fsync ", dir));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return KernelFileError(absl::StrCat("open ", path));
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.Get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return KernelFileError(absl::StrCat("read ", path));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

absl::Status WriteFile(const std::string& path, std::string_view content) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (!fd) return KernelFileError(absl::StrCat("open ", path));
  return WriteAll(fd.Get(), content, path);
}

absl::Status MakeDirs(const std::string& path, mode_t mode) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return ErrnoError(ec.value(), absl::StrCat("mkdir ", path));
  if (mode != 0755) ::chmod(path.c_str(), mode);
  return absl::OkStatus();
}

namespace {

// Deeper trees are refused rather than walked: each level holds one directory fd.
constexpr int kMaxRemoveDepth = 512;

// Names in the directory `dfd` (read through a duplicate, so `dfd` keeps its offset-free use).
absl::StatusOr<std::vector<std::string>> NamesAt(int dfd, const std::string& what) {
  int dup = ::fcntl(dfd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return ErrnoError(absl::StrCat("dup ", what));
  DIR* dir = ::fdopendir(dup);
  if (dir == nullptr) {
    ::close(dup);
    return ErrnoError(absl::StrCat("fdopendir ", what));
  }
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* ent = ::readdir(dir)) {
    std::string_view name = ent->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
    errno = 0;
  }
  int err = errno;
  ::closedir(dir);
  if (err != 0) return ErrnoError(err, absl::StrCat("readdir ", what));
  return names;
}

absl::Status RemoveEntryAt(int pfd, const std::string& name, dev_t dev, int depth, const std::string& what);

// Empties the directory open as `dfd`.
absl::Status EmptyDir(int dfd, dev_t dev, int depth, const std::string& what) {
  if (depth > kMaxRemoveDepth) {
    return absl::FailedPreconditionError(absl::StrCat("remove ", what, ": deeper than ", kMaxRemoveDepth, " levels"));
  }
  struct stat st;
  if (::fstat(dfd, &st) != 0) return ErrnoError(absl::StrCat("stat ", what));
  if (st.st_dev != dev) {
    return absl::FailedPreconditionError(absl::StrCat("remove ", what, ": a mount point, not crossing it"));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> names, NamesAt(dfd, what));
  for (const std::string& child : names) {
    RETURN_IF_ERROR(RemoveEntryAt(dfd, child, dev, depth + 1, absl::StrCat(what, "/", child)));
  }
  return absl::OkStatus();
}

// Removes `name` in `pfd` whatever it is; a symlink is removed itself, never its target. A
// directory is opened with O_NOFOLLOW relative to its parent's fd, so one swapped for a symlink
// after the fstatat is refused by the kernel (ELOOP/ENOTDIR) and looked at again.
absl::Status RemoveEntryAt(int pfd, const std::string& name, dev_t dev, int depth, const std::string& what) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    struct stat st;
    if (::fstatat(pfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return absl::OkStatus();
      return ErrnoError(absl::StrCat("stat ", what));
    }
    if (!S_ISDIR(st.st_mode)) {
      if (::unlinkat(pfd, name.c_str(), 0) == 0 || errno == ENOENT) return absl::OkStatus();
      if (errno == EISDIR) continue;  // replaced by a directory since the fstatat
      return ErrnoError(absl::StrCat("unlink ", what));
    }
    UniqueFd dfd(::openat(pfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dfd) {
      if (errno == ELOOP || errno == ENOTDIR || errno == ENOENT) continue;
      return ErrnoError(absl::StrCat("open ", what));
    }
    RETURN_IF_ERROR(EmptyDir(dfd.Get(), dev, depth, what));
    if (::unlinkat(pfd, name.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT) return absl::OkStatus();
    if (errno == ENOTEMPTY || errno == ENOTDIR) continue;  // refilled or replaced meanwhile
    return ErrnoError(absl::StrCat("rmdir ", what));
  }
  return absl::AbortedError(absl::StrCat("remove ", what, ": it keeps changing under the walk"));
}

}  // namespace

absl::Status RemoveTreeAt(int dirfd, const std::string& name, const std::string& what) {
  struct stat parent;
  if (::fstat(dirfd, &parent) != 0) return ErrnoError(absl::StrCat("stat parent of ", what));
  struct stat st;
  if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return ErrnoError(absl::StrCat("stat ", what));
  }
  // The tree's own device: a directory below on another device is a mount point.
  dev_t dev = S_ISDIR(st.st_mode) ? st.st_dev : parent.st_dev;
  return RemoveEntryAt(dirfd, name, dev, 0, what);
}

absl::Status RemoveTree(const std::string& path) {
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  std::string dir = DirName(trimmed);
  std::string base = trimmed.substr(trimmed.rfind('/') + 1);
  if (base.empty() || base == "." || base == "..") {
    return absl::InvalidArgumentError(absl::StrCat("remove ", path, ": not a removable path"));
  }
  UniqueFd pfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!pfd) {
    if (errno == ENOENT) return absl::OkStatus();
    return ErrnoError(absl::StrCat("open ", dir));
  }
  return RemoveTreeAt(pfd.Get(), base, trimmed);
}

absl::StatusOr<std::vector<std::string>> ListDir(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return ErrnoError(absl::StrCat("opendir ", path));
  std::vector<std::string> names;
  while (struct dirent* ent = ::readdir(dir)) {
    std::string_view name = ent->d_name;
    if (name == "." || name == "..") continue;
    names.emplace_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

bool IsEmptyFile(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0;
}

bool IsEmptyDir(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
  auto names = ListDir(path);
  return names.ok() && names->empty();
}

absl::Status MarkTopDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return ErrnoError(absl::StrCat("open ", dir));
  int flags = 0;
  if (::ioctl(fd.Get(), FS_IOC_GETFLAGS, &flags) != 0) {
    if (errno == ENOTTY || errno == EOPNOTSUPP || errno == EINVAL) return absl::OkStatus();
    return ErrnoError(absl::StrCat("get the flags of ", dir));
  }
  if (flags & FS_TOPDIR_FL) return absl::OkStatus();
  flags |= FS_TOPDIR_FL;
  if (::ioctl(fd.Get(), FS_IOC_SETFLAGS, &flags) != 0) {
    if (errno == ENOTTY || errno == EOPNOTSUPP || errno == EINVAL) return absl::OkStatus();
    return ErrnoError(absl::StrCat("set the top-directory flag of ", dir));
  }
  return absl::OkStatus();
}

}  // namespace podagent
