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

// Whole file; NotFound when absent.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// Plain (non-atomic) write, truncating; for kernel files (cgroup, proc, sysctl).
absl::Status WriteFile(const std::string& path, std::string_view content);

// mkdir -p; existing directories are fine.
absl::Status MakeDirs(const std::string& path, mode_t mode = 0755);

// rm -rf that never crosses a mount point; absent path is fine.
absl::Status RemoveTree(const std::string& path);

// Names of entries in a directory (no "." or ".."), sorted.
absl::StatusOr<std::vector<std::string>> ListDir(const std::string& path);

bool PathExists(const std::string& path);

}  // namespace podagent
