#pragma once
// CgroupDir: one cgroup directory held open (O_PATH, no symlink followed) for the span of one
// read of its stats, so each of its files is opened relative to it with openat(2) instead of
// resolving the whole /sys/fs/cgroup/... path again (about 40 files per container per scrape),
// and read through a stack buffer until EOF. What cannot be opened or read is "no value", as
// in stat_files.h.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "runtime/common/unique_fd.h"

namespace podagent {

class CgroupDir {
 public:
  // "" or a directory that cannot be opened gives a CgroupDir that is not Open().
  explicit CgroupDir(const std::string& path);

  bool Open() const { return fd_.Valid(); }
  int Fd() const { return fd_.Get(); }
  const std::string& Path() const { return path_; }

  // The child directory `name` (one path component), opened relative to this one.
  CgroupDir Child(absl::string_view name) const;

  // File `name` opened for reading (no symlink followed); invalid when it cannot be opened.
  UniqueFd OpenFile(absl::string_view name) const;
  // Whole file `name`, at most kMaxFileBytes; nullopt when it cannot be opened or read.
  std::optional<std::string> Read(absl::string_view name) const;
  std::optional<uint64_t> Uint(absl::string_view name) const;
  std::optional<int64_t> Int(absl::string_view name) const;
  // Empty map when the file cannot be read.
  std::map<std::string, uint64_t, std::less<>> KeyValues(absl::string_view name) const;

  // cgroup.procs of 100k processes is about 700 KiB; a larger file is cut here.
  static constexpr size_t kMaxFileBytes = 4 << 20;

 private:
  CgroupDir(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}

  UniqueFd fd_;
  std::string path_;
};

}  // namespace podagent
