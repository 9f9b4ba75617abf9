#include "agent/hostfs/bounded_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"

namespace podagent {
namespace {

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
