#pragma once
// Paths inside a container rootfs that is not yet our root, resolved with openat2(RESOLVE_IN_ROOT)
// so a symlink in the image can never lead a mount or mknod outside the rootfs. Mount targets are
// given to mount(2) as /proc/self/fd/N of the resolved O_PATH fd.

#include <string>

#include "absl/status/statusor.h"
#include "runtime/common/unique_fd.h"

namespace podagent::shim {

// Opens `path` (absolute, inside the root) as O_PATH. NotFound when absent.
absl::StatusOr<UniqueFd> OpenInRoot(int root_fd, const std::string& path);
// mkdir -p inside the root; returns the O_PATH fd of the last directory.
absl::StatusOr<UniqueFd> MkdirAllInRoot(int root_fd, const std::string& path, mode_t mode = 0755);
// Creates an empty regular file (and its parent directories) unless something exists there.
absl::StatusOr<UniqueFd> TouchInRoot(int root_fd, const std::string& path);
// Opens the target for a mount of `source_is_dir` kind, creating it when absent.
absl::StatusOr<UniqueFd> MountTargetInRoot(int root_fd, const std::string& path, bool source_is_dir);

std::string FdPath(int fd);

}  // namespace podagent::shim
