#pragma once
// Small filesystem helpers with errno-carrying errors.

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace podagent {

// Writes `content` to `path` atomically: a temp file in the same directory, fsync, rename over
// `path`, fsync of the directory. A reader sees the old content or the new, never a torn file.
absl::Status WriteFileAtomic(const std::string& path, std::string_view content, mode_t mode = 0644);

// fsync of the directory `dir`, which makes the entries created, renamed or removed in it durable.
absl::Status SyncDir(const std::string& dir);

// Whole file; NotFound when absent, also when its kernel object went (KernelFileError).
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Plain (non-atomic) write, truncating; for kernel files (cgroup, proc, sysctl). Errors as
// KernelFileError's.
absl::Status WriteFile(const std::string& path, std::string_view content);

// mkdir -p; existing directories are fine.
absl::Status MakeDirs(const std::string& path, mode_t mode = 0755);

// rm -rf that never crosses a mount point and never follows a symlink; absent path is fine.
// The walk goes by directory fds (openat O_NOFOLLOW|O_DIRECTORY, fstatat AT_SYMLINK_NOFOLLOW,
// unlinkat), so a process that swaps a directory of the tree for a symlink mid-walk cannot
// redirect it outside the tree: at worst the symlink itself is removed. Trees deeper than 512
// levels are refused (FailedPrecondition). Only the components of `path` above the tree are
// resolved by name; they must be the caller's own.
absl::Status RemoveTree(const std::string& path);

// The same for the entry `name` (one component) of the directory open as `dirfd`; `what` names
// it in errors.
absl::Status RemoveTreeAt(int dirfd, const std::string& name, const std::string& what);

// Names of entries in a directory (no "." or ".."), sorted.
absl::StatusOr<std::vector<std::string>> ListDir(const std::string& path);

bool PathExists(const std::string& path);
// A regular file of size 0 (not followed if a link).
bool IsEmptyFile(const std::string& path);
// A directory with no entries (not followed if a link); false when it cannot be read.
bool IsEmptyDir(const std::string& path);

// Marks the directory `dir` (not followed if a link) as the top of separate trees: FS_TOPDIR_FL,
// which ext2/3/4 honour by placing each new subdirectory in a block group of its own (the Orlov
// allocator) instead of next to its parent. Without a journal, ext4 skips every inode freed in the
// last minutes when it allocates one, so a tree made where another was just deleted scans past
// all of those. A filesystem without the flag (tmpfs, xfs, btrfs) leaves nothing to do: OK.
absl::Status MarkTopDir(const std::string& dir);

}  // namespace podagent
