#include "runtime/process/run_command.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/common/unique_fd.h"
#include "runtime/process/spawn.h"

namespace podagent {
namespace {

struct Pipe {
  UniqueFd read, write;
};

absl::StatusOr<Pipe> MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return ErrnoError("pipe2");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Appends what can be read from `fd` to `out` up to `limit`; false at EOF or error.
bool Drain(int fd, std::string& out, size_t limit, bool& truncated) {
  char buf[16384];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n < 0) return errno == EINTR || errno == EAGAIN;
  if (n == 0) return false;
  size_t room = limit > out.size() ? limit - out.size() : 0;
  size_t take = std::min(room, static_cast<size_t>(n));
  out.append(buf, take);
  if (take < static_cast<size_t>(n)) truncated = true;
  return true;
}

// Feeds stdin and collects both outputs until both reach EOF or the deadline passes.
bool Pump(const CommandOptions& o, Pipe& in, Pipe& out, Pipe& err, CommandResult& r, absl::Time deadline) {
  size_t written = 0;
  if (o.stdin_data.empty()) in.write.Reset();
  if (in.write) ::fcntl(in.write.Get(), F_SETFL, O_NONBLOCK);
  while (out.read || err.read) {
    struct pollfd p[3] = {{out.read.Get(), POLLIN, 0}, {err.read.Get(), POLLIN, 0}, {in.write.Get(), POLLOUT, 0}};
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    int ms = static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, 1 << 30));
    if (::poll(p, 3, ms) < 0 && errno != EINTR) return false;
    if (p[0].revents && !Drain(out.read.Get(), r.out, o.max_output, r.out_truncated)) out.read.Reset();
    if (p[1].revents && !Drain(err.read.Get(), r.err, o.max_output, r.err_truncated)) err.read.Reset();
    if (p[2].revents & (POLLERR | POLLHUP)) {
      in.write.Reset();  // the program closed its stdin
    } else if (p[2].revents & POLLOUT) {
      ssize_t n = ::write(in.write.Get(), o.stdin_data.data() + written, o.stdin_data.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == o.stdin_data.size()) in.write.Reset();
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<CommandResult> RunCommand(const CommandOptions& o) {
  ASSIGN_OR_RETURN(Pipe in, MakePipe());
  ASSIGN_OR_RETURN(Pipe out, MakePipe());
  ASSIGN_OR_RETURN(Pipe err, MakePipe());
  SpawnOptions spawn;
  spawn.argv = o.argv;
  spawn.env = o.env;
  spawn.cwd = o.cwd;
  spawn.fds = {{0, in.read.Get()}, {1, out.write.Get()}, {2, err.write.Get()}};
  ASSIGN_OR_RETURN(ChildProcess child, Spawn(spawn));
  in.read.Reset();
  out.write.Reset();
  err.write.Reset();

  absl::Time deadline = absl::Now() + o.timeout;
  CommandResult r;
  bool in_time = Pump(o, in, out, err, r, deadline);
  absl::StatusOr<ExitStatus> exit;
  if (in_time) {
    exit = child.Wait(std::max(deadline - absl::Now(), absl::ZeroDuration()));
  }
  if (!in_time || !exit.ok()) {
    (void)child.Terminate(o.timeout_signal, o.kill_grace);
    return absl::DeadlineExceededError(
        absl::StrCat("run ", o.argv[0], ": killed after ", absl::FormatDuration(o.timeout)));
  }
  r.exit_code = exit->signal != 0 ? -1 : exit->exit_code;
  r.signal = exit->signal;
  return r;
}

}  // namespace podagent
