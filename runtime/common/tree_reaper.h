#pragma once
// TreeReaper: deletes directory trees on a thread of its own, so a request never waits for a
// large unlink walk. A caller moves a tree into the reaper's directory with one rename (atomic, on
// the same filesystem) and returns; the thread removes it by fd (RemoveTreeAt: no symlink in the
// tree is ever followed). Whatever a crash leaves in the directory is deleted at the next Start and
// at every later wake-up, so nothing is lost track of.

#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace podagent {

class TreeReaper {
 public:
  // `dir` must be on the filesystem of the trees given to Discard.
  explicit TreeReaper(std::string dir);
  ~TreeReaper();  // stops after the tree being deleted, if any; the rest waits for the next Start
  TreeReaper(const TreeReaper&) = delete;
  TreeReaper& operator=(const TreeReaper&) = delete;

  // Creates the directory (0700) and starts the thread, which first deletes what is already there.
  absl::Status Start();
  // Moves the directory `path` into the reaper and wakes it. When the reaper is not started or the
  // rename cannot be done (another filesystem), deletes the tree here instead. A missing `path` is
  // fine.
  absl::Status Discard(const std::string& path);
  // Waits until nothing is left to delete or `timeout` passes; true when empty.
  bool WaitEmpty(absl::Duration timeout);
  const std::string& dir() const { return dir_; }

 private:
  void Run();
  bool ReapOnce();  // deletes what the directory holds now; false when an entry could not go

  const std::string dir_;
  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t wakes_ ABSL_GUARDED_BY(mu_) = 0;   // Discard calls so far
  uint64_t reaped_ ABSL_GUARDED_BY(mu_) = 0;  // wakes_ as of the start of the last finished pass
  bool last_pass_clean_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace podagent
