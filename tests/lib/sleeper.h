#pragma once
// A forked child that sleeps until killed (for cgroup membership and kill tests), and the reap
// that tells which signal ended it. The test owns the pid: kill and reap it, or hand it to a
// ScopedChild.

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace podagent::testing {

inline pid_t SpawnSleeper() {
  pid_t pid = ::fork();
  if (pid == 0) {
    for (;;) ::pause();
  }
  return pid;
}

// Waits for `pid`; the signal that ended it, 0 for an exit, -1 when it was not our child.
inline int ReapSignal(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
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
