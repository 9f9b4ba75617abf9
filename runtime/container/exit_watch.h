#pragma once
// ExitRecordWatch: wakes the daemon the moment a shim writes a container's exit record, instead
// of on the next tick of a poll. An inotify watch on the state dir (the daemon's own, under
// run_dir; nothing a container can reach) reports the rename of the filled reservation to
// exit.json that WriteExitRecord ends with (and the close of any write there).
// Open the watch before the first look at the record, so a record written in between still wakes it.
// Closing an inotify fd waits for an SRCU grace period in the kernel (10-15 ms here, most of a
// StopContainer): the destructor leaves that close to a short-lived background thread.

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "runtime/common/unique_fd.h"

namespace podagent {

class ExitRecordWatch {
 public:
  static absl::StatusOr<ExitRecordWatch> Open(const std::string& state_dir);
  ExitRecordWatch(ExitRecordWatch&&) = default;
  ExitRecordWatch& operator=(ExitRecordWatch&&) = default;
  ~ExitRecordWatch();

  // Blocks until a file is renamed into or written in the state dir, or `timeout` passes.
  // True on such an event (the caller reads the record again), false on timeout.
  bool WaitForChange(absl::Duration timeout);

 private:
  explicit ExitRecordWatch(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

}  // namespace podagent
