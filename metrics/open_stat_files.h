#pragma once
// OpenStatFiles: cgroup stat files held open between calls and read again from offset 0 with
// pread(2); cgroupfs builds a file's text afresh for every read at offset 0, so a held file
// shows the value of the moment. The CRI stats calls read ~5 files per cgroup: at 500
// containers, opening and closing them (and their directories) was over half of
// ListContainerStats' CPU.
//
// Owner of every fd it holds; safe to share between threads (a read holds its fd by a shared
// reference, so Prune never closes a file under a reader). Bounds:
//   - at most `max_files` held; past that a file is opened for its one read, as CgroupDir does;
//   - a file not read since `now - idle` is closed by Prune, which reads run themselves once
//     per `idle`;
//   - a file whose read fails (its cgroup was removed) is closed and opened once more, in case
//     the path now names a new cgroup.
// Each held cgroupfs file costs the kernel about a page (its seq_file buffer) until closed.
// Files are opened as CgroupDir opens them: no symlink followed, directory first.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "runtime/common/unique_fd.h"

namespace podagent {

class OpenStatFiles {
 public:
  explicit OpenStatFiles(size_t max_files, absl::Duration idle = absl::Minutes(2));

  // File `name` of directory `dir`, at most CgroupDir::kMaxFileBytes; nullopt when it cannot
  // be opened or read. `now` marks the file as used (Prune).
  std::optional<std::string> Read(const std::string& dir, absl::string_view name, absl::Time now);
  std::optional<uint64_t> Uint(const std::string& dir, absl::string_view name, absl::Time now);
  // Empty map when the file cannot be read.
  std::map<std::string, uint64_t, std::less<>> KeyValues(const std::string& dir, absl::string_view name,
                                                         absl::Time now);

  // Closes the files not read since `now - idle`.
  void Prune(absl::Time now);
  // Files held now.
  size_t Size() const;

 private:
  using SharedFd = std::shared_ptr<const UniqueFd>;
  struct Entry {
    SharedFd fd;
    absl::Time used;
  };
  // The held fd of `key`, else a newly opened one (held when there is room); null when it
  // cannot be opened.
  SharedFd Get(const std::string& key, const std::string& dir, absl::string_view name, absl::Time now);
  // Stops holding `fd` as `key` (a newer fd for the key stays).
  void Forget(const std::string& key, const SharedFd& fd);
  void PruneLocked(absl::Time now);

  const size_t max_files_;
  const absl::Duration idle_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> files_;
  absl::Time pruned_ = absl::InfinitePast();
};

// How many stat files a daemon may hold: a quarter of its soft RLIMIT_NOFILE, at most 16384,
// so held files never starve sockets, pidfds and image pulls of fds.
size_t DefaultMaxOpenStatFiles();

}  // namespace podagent
