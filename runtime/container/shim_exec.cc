// StartStreamingExec: the streaming exec helper with pipes or a pty (made in the container) for its stdio.
#include <fcntl.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/common/fd_passing.h"
#include "runtime/common/pidfd.h"
#include "runtime/container/shim_exec.h"
#include "runtime/process/spawn.h"

namespace podagent {
namespace {

// How long the helper may take to enter the container and make its pty (slow under emulation).
constexpr absl::Duration kPtyTimeout = absl::Seconds(10);

struct Pipe {
  UniqueFd read, write;
};

absl::StatusOr<Pipe> MakePipe() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return ErrnoError("pipe2");
  return Pipe{UniqueFd(p[0]), UniqueFd(p[1])};
}

absl::Status SetNonBlocking(const UniqueFd& fd) {
  int flags = ::fcntl(fd.Get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.Get(), F_SETFL, flags | O_NONBLOCK) != 0) return ErrnoError("fcntl O_NONBLOCK");
  return absl::OkStatus();
}

// What the helper wrote to fd 2 before it failed: it has exited, so this reads to EOF, bounded.
std::string ReadHelperError(const UniqueFd& fd) {
  std::string text(4096, '\0');
  size_t got = 0;
  for (ssize_t n; got < text.size() && (n = ::read(fd.Get(), text.data() + got, text.size() - got)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    got += static_cast<size_t>(n);
  }
  text.resize(got);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// Waits for the pty master the helper makes on the container's devpts (see
// runtime/shim/container_pty.h); on failure the helper is killed and its message returned.
absl::StatusOr<UniqueFd> ReceivePty(ChildProcess& child, const UniqueFd& reply, const UniqueFd& errors) {
  absl::StatusOr<FdReply> got = ReceiveFdReply(reply.Get(), kPtyTimeout, "exec tty");
  if (got.ok() && got->code == 0) return std::move(got->fd);
  child.Signal(SIGKILL).IgnoreError();
  child.Wait(absl::Seconds(5)).IgnoreError();
  SetNonBlocking(errors).IgnoreError();  // should the helper outlive the kill, never wait for it
  std::string why = ReadHelperError(errors);
  if (!got.ok()) {
    return absl::Status(got.status().code(), absl::StrCat(got.status().message(), why.empty() ? "" : ": ", why));
  }
  return absl::FailedPreconditionError(why.empty() ? "exec tty: no pty in the container" : why);
}

}  // namespace

absl::StatusOr<ExecProcess> StartStreamingExec(const ShimLauncher& launcher, const std::string& state_dir, pid_t pid,
                                               const std::vector<std::string>& cmd, const ExecIo& io) {
  if (cmd.empty()) return absl::InvalidArgumentError("exec: empty command");
  SpawnOptions o;
  o.argv = {launcher.ExecPath(), "exec"};
  if (io.tty) o.argv.push_back("--tty");
  if (io.stdin) o.argv.push_back("--stdin");
  o.argv.insert(o.argv.end(), {state_dir, std::to_string(pid)});
  o.argv.insert(o.argv.end(), cmd.begin(), cmd.end());
  o.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  ExecProcess p;
  UniqueFd child_in, child_out, child_err;  // the helper's ends, closed here once it runs
  UniqueFd pty_reply, pty_errors;           // tty: where the master and a failure's message come
  if (io.tty) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return ErrnoError("socketpair");
    pty_reply.Reset(sv[0]);
    child_in.Reset(sv[1]);
    ASSIGN_OR_RETURN(Pipe err, MakePipe());
    pty_errors = std::move(err.read);
    child_err = std::move(err.write);
    child_out.Reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!child_out) return ErrnoError("open /dev/null");
    o.fds = {{0, child_out.Get()}, {1, child_err.Get()}, {2, child_err.Get()}, {3, child_in.Get()}};
  } else {
    ASSIGN_OR_RETURN(Pipe out, MakePipe());
    ASSIGN_OR_RETURN(Pipe err, MakePipe());
    p.stdout_fd = std::move(out.read);
    p.stderr_fd = std::move(err.read);
    child_out = std::move(out.write);
    child_err = std::move(err.write);
    o.fds = {{1, child_out.Get()}, {2, child_err.Get()}};
    if (io.stdin) {
      ASSIGN_OR_RETURN(Pipe in, MakePipe());
      p.stdin_fd = std::move(in.write);
      child_in = std::move(in.read);
      o.fds[0] = child_in.Get();
    }
  }
  ASSIGN_OR_RETURN(p.child, Spawn(o));
  child_in.Reset();
  child_out.Reset();
  child_err.Reset();
  if (io.tty) {
    ASSIGN_OR_RETURN(p.pty, ReceivePty(p.child, pty_reply, pty_errors));
  }
  p.pidfd = PidfdOpen(p.child.pid());
  for (UniqueFd* fd : {&p.stdin_fd, &p.stdout_fd, &p.stderr_fd, &p.pty}) {
    if (*fd) RETURN_IF_ERROR(SetNonBlocking(*fd));
  }
  return p;
}

}  // namespace podagent
