#include "runtime/shim/in_root.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/common/errors.h"

namespace podagent::shim {
namespace {

int OpenAt2(int dirfd, const std::string& path, uint64_t flags, uint64_t mode) {
  struct open_how how {};
  how.flags = flags | O_CLOEXEC;
  how.mode = mode;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how));
}

std::string Relative(const std::string& path) {
  size_t i = path.find_first_not_of('/');
  return i == std::string::npos ? "." : path.substr(i);
}

std::string Parent(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::string FdPath(int fd) { return absl::StrCat("/proc/self/fd/", fd); }

absl::StatusOr<UniqueFd> OpenInRoot(int root_fd, const std::string& path) {
  UniqueFd fd(OpenAt2(root_fd, Relative(path), O_PATH, 0));
  if (!fd) return ErrnoError(absl::StrCat("open ", path, " in rootfs"));
  return fd;
}

absl::StatusOr<UniqueFd> MkdirAllInRoot(int root_fd, const std::string& path, mode_t mode) {
  UniqueFd cur(OpenAt2(root_fd, ".", O_PATH | O_DIRECTORY, 0));
  if (!cur) return ErrnoError("open rootfs");
  std::string prefix;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    prefix = absl::StrCat(prefix, "/", part);
    UniqueFd next(OpenAt2(root_fd, Relative(prefix), O_PATH | O_DIRECTORY, 0));
    if (!next && errno == ENOENT) {
      std::string name(part);
      if (::mkdirat(cur.Get(), name.c_str(), mode) != 0 && errno != EEXIST) {
        return ErrnoError(absl::StrCat("mkdir ", prefix, " in rootfs"));
      }
      next.Reset(OpenAt2(root_fd, Relative(prefix), O_PATH | O_DIRECTORY, 0));
    }
    if (!next) return ErrnoError(absl::StrCat("open ", prefix, " in rootfs"));
    cur = std::move(next);
  }
  return cur;
}

absl::StatusOr<UniqueFd> TouchInRoot(int root_fd, const std::string& path) {
  ASSIGN_OR_RETURN(UniqueFd parent, MkdirAllInRoot(root_fd, Parent(path)));
  UniqueFd fd(OpenAt2(root_fd, Relative(path), O_CREAT | O_RDONLY, 0644));
  if (!fd && errno == EISDIR) fd.Reset(OpenAt2(root_fd, Relative(path), O_PATH, 0));
  if (!fd) return ErrnoError(absl::StrCat("create ", path, " in rootfs"));
  return fd;
}

absl::StatusOr<UniqueFd> MountTargetInRoot(int root_fd, const std::string& path, bool source_is_dir) {
  if (source_is_dir) return MkdirAllInRoot(root_fd, path);
  auto existing = OpenInRoot(root_fd, path);
  if (existing.ok()) return existing;
  return TouchInRoot(root_fd, path);
}

}  // namespace podagent::shim
