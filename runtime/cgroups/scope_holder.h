#pragma once
// A child process that only waits, so systemd can start a scope before the process meant for it
// exists: systemd refuses a scope without a pid and stops one that empties. The systemd cgroup
// driver starts the scope around a holder; the real process (the pause, a container's init) then
// joins the scope's cgroup itself; Release lets the holder exit and reaps it.
//
// The child runs only async-signal-safe code after fork (the daemon is multi-threaded): it keeps
// only the read end of a pipe, blocks reading it and exits at EOF, that is when the daemon dies.
// Release kills it (SIGKILL) and reaps it; a cgroup Kill ends it too, Release then only reaps.

#include <sys/types.h>

#include "absl/status/statusor.h"
#include "runtime/common/unique_fd.h"

namespace podagent {

class ScopeHolder {
 public:
  ScopeHolder() = default;
  static absl::StatusOr<ScopeHolder> Start();
  ~ScopeHolder() { Release(); }
  ScopeHolder(ScopeHolder&& other) noexcept;
  ScopeHolder& operator=(ScopeHolder&& other) noexcept;
  ScopeHolder(const ScopeHolder&) = delete;
  ScopeHolder& operator=(const ScopeHolder&) = delete;

  pid_t pid() const { return pid_; }
  // Closes the pipe, kills the child and reaps it. Idempotent.
  void Release();

 private:
  pid_t pid_ = -1;
  UniqueFd release_;  // the pipe's write end (close-on-exec)
};

}  // namespace podagent
