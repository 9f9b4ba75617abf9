#include "runtime/container/image_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/common/errors.h"
#include "runtime/common/unique_fd.h"
#include "runtime/image/whiteout.h"

namespace podagent {
namespace {

// What one layer holds at a path.
struct LayerLookup {
  enum Kind { kAbsent, kHidden, kFile } kind = kAbsent;
  bool opaque = false;  // a directory on the way is opaque: lower layers do not count
  UniqueFd file;
};

bool IsWhiteout(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0); }

bool IsOpaque(int dir_fd) {
  char value[2] = {};
  ssize_t n = ::fgetxattr(dir_fd, kOverlayOpaqueXattr, value, sizeof value);
  return n == 1 && value[0] == 'y';
}

const char* TypeName(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISLNK(mode)) return "a symlink";
  if (S_ISFIFO(mode)) return "a fifo";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "not a regular file";
}

absl::StatusOr<std::vector<std::string>> Components(const std::string& path) {
  std::vector<std::string> parts = absl::StrSplit(path, '/', absl::SkipEmpty());
  if (parts.empty()) return absl::InvalidArgumentError(absl::StrCat("image file path \"", path, "\" names no file"));
  for (const std::string& p : parts) {
    if (p == "." || p == "..") return absl::InvalidArgumentError(absl::StrCat("image file path \"", path, "\" is not clean"));
  }
  return parts;
}

// Opens the regular file `name` beneath `dir_fd`: never follows a symlink, never blocks.
absl::StatusOr<UniqueFd> OpenRegular(int dir_fd, const std::string& name, const std::string& what) {
  UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd) return ErrnoError(absl::StrCat("open ", what));
  struct stat st;
  if (::fstat(fd.Get(), &st) != 0) return ErrnoError(absl::StrCat("stat ", what));
  if (!S_ISREG(st.st_mode)) return absl::InvalidArgumentError(absl::StrCat(what, " is ", TypeName(st.st_mode)));
  return fd;
}

absl::StatusOr<LayerLookup> LookInLayer(const std::string& layer, const std::vector<std::string>& parts,
                                        const std::string& path) {
  LayerLookup out;
  UniqueFd dir(::open(layer.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return ErrnoError(absl::StrCat("open layer ", layer));
  std::string what = absl::StrCat(path, " in layer ", layer);
  for (size_t i = 0; i < parts.size(); ++i) {
    struct stat st;
    if (::fstatat(dir.Get(), parts[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return out;
      return ErrnoError(absl::StrCat("stat ", what));
    }
    if (IsWhiteout(st)) {
      out.kind = LayerLookup::kHidden;
      return out;
    }
    if (i + 1 == parts.size()) {
      if (!S_ISREG(st.st_mode)) return absl::InvalidArgumentError(absl::StrCat(what, " is ", TypeName(st.st_mode)));
      ASSIGN_OR_RETURN(out.file, OpenRegular(dir.Get(), parts[i], what));
      out.kind = LayerLookup::kFile;
      return out;
    }
    if (!S_ISDIR(st.st_mode)) {  // a file or symlink here replaces the directory of lower layers
      out.kind = LayerLookup::kHidden;
      return out;
    }
    UniqueFd next(::openat(dir.Get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next) return ErrnoError(absl::StrCat("open ", what));
    if (IsOpaque(next.Get())) out.opaque = true;
    dir = std::move(next);
  }
  return out;
}

absl::StatusOr<std::string> ReadBounded(int fd, size_t max_bytes, const std::string& what) {
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(absl::StrCat("read ", what));
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes) {
      return absl::InvalidArgumentError(absl::StrCat(what, " is larger than ", max_bytes, " bytes"));
    }
  }
}

}  // namespace

absl::StatusOr<std::string> ReadFileFromLayers(const std::vector<std::string>& layers, const std::string& path,
                                               size_t max_bytes) {
  ASSIGN_OR_RETURN(std::vector<std::string> parts, Components(path));
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    ASSIGN_OR_RETURN(LayerLookup hit, LookInLayer(*it, parts, path));
    if (hit.kind == LayerLookup::kFile) {
      return ReadBounded(hit.file.Get(), max_bytes, absl::StrCat(path, " in layer ", *it));
    }
    if (hit.kind == LayerLookup::kHidden || hit.opaque) break;
  }
  return std::string();
}

}  // namespace podagent
