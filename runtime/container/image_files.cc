#include "runtime/container/image_files.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/common/unique_fd.h"

namespace podagent {

absl::StatusOr<std::string> ReadFileFromLayers(const std::vector<std::string>& layers, const std::string& path) {
  std::string rel = path.substr(path.find_first_not_of('/'));
  for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
    UniqueFd root(::open(it->c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root) return ErrnoError("open layer " + *it);
    struct open_how how {};
    how.flags = O_RDONLY | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, root.Get(), rel.c_str(), &how, sizeof how)));
    if (!fd) {
      if (errno == ENOENT || errno == ENOTDIR) continue;
      return ErrnoError(absl::StrCat("open ", path, " in layer ", *it));
    }
    std::string out;
    char buf[8192];
    for (;;) {
      ssize_t n = ::read(fd.Get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoError(absl::StrCat("read ", path, " in layer ", *it));
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
      if (out.size() > (4u << 20)) return absl::InvalidArgumentError(absl::StrCat(path, " in the image is over 4 MiB"));
    }
    return out;
  }
  return std::string();
}

}  // namespace podagent
