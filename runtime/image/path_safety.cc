#include "runtime/image/path_safety.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "runtime/common/errors.h"

namespace podagent {

absl::StatusOr<std::string> CleanEntryPath(absl::string_view name) {
  if (!name.empty() && name.front() == '/') {
    return absl::InvalidArgumentError(absl::StrCat("layer entry \"", name, "\": absolute names are refused"));
  }
  std::vector<absl::string_view> parts;
  for (absl::string_view p : absl::StrSplit(name, '/')) {
    if (p.empty() || p == ".") continue;
    if (p == "..") {
      return absl::InvalidArgumentError(absl::StrCat("layer entry \"", name, "\": \"..\" components are refused"));
    }
    parts.push_back(p);
  }
  return absl::StrJoin(parts, "/");
}

std::pair<std::string, std::string> SplitParent(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return {"", path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

absl::StatusOr<UniqueFd> OpenBeneath(int root_fd, const std::string& rel, int flags, absl::string_view what) {
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC | O_NOFOLLOW);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const char* path = rel.empty() ? "." : rel.c_str();
  for (;;) {
    long fd = ::syscall(SYS_openat2, root_fd, path, &how, sizeof how);
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    if (errno == EINTR || errno == EAGAIN) continue;
    if (errno == ELOOP || errno == EXDEV) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": path \"", rel, "\" goes through a symlink or leaves the layer root (refused)"));
    }
    if (errno == ENOTDIR) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, ": path \"", rel, "\" is not a directory (symlinks are not followed)"));
    }
    return ErrnoError(absl::StrCat(what, ": openat2 ", rel));
  }
}

absl::StatusOr<UniqueFd> MakeDirsBeneath(int root_fd, const std::string& rel, absl::string_view what) {
  auto fd = OpenBeneath(root_fd, rel, O_RDONLY | O_DIRECTORY, what);
  if (fd.ok() || !absl::IsNotFound(fd.status())) return fd;
  auto [parent, base] = SplitParent(rel);
  ASSIGN_OR_RETURN(UniqueFd pfd, MakeDirsBeneath(root_fd, parent, what));
  if (::mkdirat(pfd.Get(), base.c_str(), 0755) != 0 && errno != EEXIST) {
    return ErrnoError(absl::StrCat(what, ": mkdir ", rel));
  }
  return OpenBeneath(root_fd, rel, O_RDONLY | O_DIRECTORY, what);
}

}  // namespace podagent
