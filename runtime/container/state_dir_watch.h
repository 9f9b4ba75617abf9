#pragma once
// StateDirWatch: one inotify instance over the state dirs of many running containers, so a
// listing can tell which of them may have exited without opening every container's exit record.
// A dir that saw a file closed after writing or renamed into it (WriteExitRecord's pwrite into
// exit.reserve and its rename to exit.json; ExitRecordWatch watches the same events) is
// "changed" until the next Drain. Watch a dir before the first look at its records: a record
// written between that look and the watch would otherwise go unseen.
// When the kernel's event queue overflowed, Drain says so: every watched dir may have changed.
// Not thread-safe: the owner serializes calls (ContainerManager holds its lock).

#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/common/unique_fd.h"

namespace podagent {

class StateDirWatch {
 public:
  static absl::StatusOr<StateDirWatch> Open();
  StateDirWatch(StateDirWatch&&) = default;
  StateDirWatch& operator=(StateDirWatch&&) = default;

  // Watches `dir` under `key`. An error (no such dir, the user's inotify watch limit) leaves
  // `key` unwatched: the caller must then read its records every time.
  absl::Status Watch(const std::string& key, const std::string& dir);
  void Unwatch(const std::string& key);
  bool Watching(const std::string& key) const { return wd_by_key_.count(key) > 0; }
  size_t size() const { return wd_by_key_.size(); }

  struct Changes {
    std::set<std::string> keys;  // watched keys whose dir changed since the last Drain
    bool overflow = false;       // events were lost: treat every watched key as changed
  };
  // Reads the events queued so far; never blocks.
  Changes Drain();

 private:
  explicit StateDirWatch(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
  std::unordered_map<std::string, int> wd_by_key_;  // looked up per container per listing
  std::map<int, std::string> key_by_wd_;
};

}  // namespace podagent
