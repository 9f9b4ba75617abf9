#pragma once
// A forked child that sleeps until killed (for cgroup membership and kill tests), and the bounded
// reap that tells which signal ended it. The test owns the pid: kill and reap it, or hand it to a
// ScopedChild.

#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "runtime/common/pidfd.h"
#include "runtime/common/unique_fd.h"

namespace podagent::testing {

inline pid_t SpawnSleeper() {
  pid_t pid = ::fork();
  if (pid == 0) {
    for (;;) ::pause();
  }
  return pid;
}

// ReapSignal's answer when the child outlived the wait: the test then SIGKILLs and reaps it, so
// a kill that never came fails the check instead of hanging the suite.
inline constexpr int kStillRunning = -2;

// Whether the process behind `pidfd` exits within `timeout` (true when there is no pidfd: the
// caller then waits without a bound, as before pidfds).
inline bool ExitsWithin(const UniqueFd& pidfd, std::chrono::milliseconds timeout) {
  if (!pidfd) return true;
  pollfd p{pidfd.Get(), POLLIN, 0};
  int ready;
  do {
    ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (ready < 0 && errno == EINTR);
  return ready != 0;
}

// Waits up to `timeout` for `pid` (its pidfd, no sleep loop); the signal that ended it, 0 for an
// exit, -1 when it was not our child, kStillRunning when it was still running at the deadline.
inline int ReapSignal(pid_t pid, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  bool exited = ExitsWithin(PidfdOpen(pid), timeout);
  int status = 0;
  pid_t waited = ::waitpid(pid, &status, exited ? 0 : WNOHANG);
  if (waited == 0) {  // our child, still running at the deadline
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return kStillRunning;
  }
  if (waited != pid) return -1;
  return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

// Sole owner of a forked child: SIGKILL and reap when the scope ends, however the test ends.
class ScopedChild {
 public:
  explicit ScopedChild(pid_t pid) : pid_(pid) {}
  ~ScopedChild() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  ScopedChild(const ScopedChild&) = delete;
  ScopedChild& operator=(const ScopedChild&) = delete;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
};

}  // namespace podagent::testing
