#pragma once
// Bounded, no-follow reads for the diagnostics subcommands. What they read is named by others
// (a cgroup path from the daemon, a log path from ContainerStatus, a pid from cgroup.procs), so
// a symlink is never followed and no read is unbounded: a huge or endless file (a FIFO, /dev/zero
// planted where a file was expected) costs at most `limit` bytes.

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "runtime/common/unique_fd.h"

namespace podagent {

// Files are opened with runtime/image/path_safety.h's OpenBeneath (openat2 RESOLVE_BENEATH |
// RESOLVE_NO_SYMLINKS: InvalidArgument for a symlink, ".." or an absolute path).

// At most `limit` bytes from the start of the open file.
absl::StatusOr<std::string> ReadHead(int fd, size_t limit, const std::string& what);

// At most the last `limit` bytes of the open file, which must be a regular file.
absl::StatusOr<std::string> ReadTail(int fd, size_t limit, const std::string& what);

// `path` opened with O_NOFOLLOW (its last component must not be a symlink) and O_NONBLOCK (a
// FIFO does not block), refused unless a regular file; then its last `limit` bytes.
absl::StatusOr<std::string> ReadFileTail(const std::string& path, size_t limit);

}  // namespace podagent
