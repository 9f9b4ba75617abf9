#include "agent/cli/bounded_read.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/common/errors.h"

namespace podagent {
namespace {

absl::Status Refused(const std::string& rel) {
  return absl::InvalidArgumentError(
      absl::StrCat("path \"", rel, "\" goes through a symlink or leaves its directory (refused)"));
}

// openat with O_NOFOLLOW, one component at a time: the fallback for kernels before 5.6.
absl::StatusOr<UniqueFd> OpenByComponents(int dir_fd, const std::string& rel, int flags) {
  std::vector<std::string> parts = absl::StrSplit(rel, '/', absl::SkipEmpty());
  UniqueFd cur(::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0));
  if (!cur) return ErrnoError("dup");
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i] == "..") return Refused(rel);
    bool last = i + 1 == parts.size();
    int f = (last ? flags : O_PATH | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC;
    int fd = ::openat(cur.Get(), parts[i].c_str(), f);
    if (fd < 0) return errno == ELOOP ? Refused(rel) : ErrnoError(absl::StrCat("open ", rel));
    cur.Reset(fd);
  }
  return cur;
}

absl::StatusOr<std::string> ReadAt(int fd, off_t from, size_t limit, const std::string& what) {
  std::string out(limit, '\0');
  size_t got = 0;
  while (got < limit) {
    ssize_t n = ::pread(fd, out.data() + got, limit - got, from + static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(absl::StrCat("read ", what));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

}  // namespace

absl::StatusOr<UniqueFd> OpenBeneath(int dir_fd, const std::string& rel, int flags) {
  if (!rel.empty() && rel[0] == '/') return Refused(rel);
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC | O_NOFOLLOW);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const char* path = rel.empty() ? "." : rel.c_str();
  for (;;) {
    long fd = ::syscall(SYS_openat2, dir_fd, path, &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    if (errno == EINTR || errno == EAGAIN) continue;
    if (errno == ENOSYS) return OpenByComponents(dir_fd, rel, flags);
    if (errno == ELOOP || errno == EXDEV) return Refused(rel);
    return ErrnoError(absl::StrCat("open ", rel));
  }
}

absl::StatusOr<std::string> ReadHead(int fd, size_t limit, const std::string& what) {
  // Kernel files (cgroupfs, procfs) report size 0: read sequentially, not by size.
  std::string out;
  char buf[4096];
  while (out.size() < limit) {
    ssize_t n = ::read(fd, buf, std::min(sizeof buf, limit - out.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(absl::StrCat("read ", what));
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

absl::StatusOr<std::string> ReadTail(int fd, size_t limit, const std::string& what) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoError(absl::StrCat("stat ", what));
  if (!S_ISREG(st.st_mode)) return absl::InvalidArgumentError(absl::StrCat(what, ": not a regular file"));
  off_t size = st.st_size;
  off_t from = size > static_cast<off_t>(limit) ? size - static_cast<off_t>(limit) : 0;
  return ReadAt(fd, from, static_cast<size_t>(size - from), what);
}

absl::StatusOr<std::string> ReadFileTail(const std::string& path, size_t limit) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP) return absl::InvalidArgumentError(absl::StrCat(path, " is a symlink (not followed)"));
    return ErrnoError(absl::StrCat("open ", path));
  }
  UniqueFd owned(fd);
  return ReadTail(owned.Get(), limit, path);
}

}  // namespace podagent
