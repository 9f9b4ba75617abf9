#include "runtime/cgroups/scope_holder.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <utility>

#include "runtime/common/errors.h"

namespace podagent {
namespace {

// The child: async-signal-safe calls only. Keeps the pipe's read end as fd 0, closes the rest
// (the daemon's sockets and pipes must not stay open in it), waits for EOF.
[[noreturn]] void HoldUntilReleased(int read_fd) {
  if (::dup2(read_fd, 0) < 0) ::_exit(1);
  ::close_range(1, ~0U, 0);
  char byte;
  for (;;) {
    ssize_t n = ::read(0, &byte, 1);
    if (n == 0 || (n < 0 && errno != EINTR)) ::_exit(0);
  }
}

}  // namespace

absl::StatusOr<ScopeHolder> ScopeHolder::Start() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("scope holder: pipe");
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  pid_t pid = ::fork();
  if (pid < 0) return ErrnoError("scope holder: fork");
  if (pid == 0) HoldUntilReleased(read_end.Get());
  ScopeHolder holder;
  holder.pid_ = pid;
  holder.release_ = std::move(write_end);
  return holder;
}

ScopeHolder::ScopeHolder(ScopeHolder&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), release_(std::move(other.release_)) {}

ScopeHolder& ScopeHolder::operator=(ScopeHolder&& other) noexcept {
  if (this != &other) {
    Release();
    pid_ = std::exchange(other.pid_, -1);
    release_ = std::move(other.release_);
  }
  return *this;
}

void ScopeHolder::Release() {
  release_.Reset();
  if (pid_ <= 0) return;
  // EOF alone is not enough: a child forked meanwhile that never execs (close-on-exec never
  // fires) keeps a copy of the write end. The pid is ours until reaped, so the kill is safe.
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

}  // namespace podagent
