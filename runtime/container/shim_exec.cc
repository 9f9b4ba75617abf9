// StartStreamingExec: the streaming exec helper with pipes or a pty for its stdio.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/container/pty.h"
#include "runtime/container/shim_exec.h"
#include "runtime/process/spawn.h"

namespace podagent {
namespace {

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

// A new pty pair from the host's devpts: the master stays here, the slave goes to the helper.
absl::StatusOr<Pipe> MakePty() {
  ASSIGN_OR_RETURN(PtyPair pty, OpenPty());
  return Pipe{std::move(pty.master), std::move(pty.slave)};
}

UniqueFd PidfdOpen(pid_t pid) {
#ifdef SYS_pidfd_open
  return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
#else
  return UniqueFd();
#endif
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
  if (io.tty) {
    ASSIGN_OR_RETURN(Pipe pty, MakePty());
    p.pty = std::move(pty.read);
    o.fds = {{0, pty.write.Get()}, {1, pty.write.Get()}, {2, pty.write.Get()}};
    child_in = std::move(pty.write);
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
  p.pidfd = PidfdOpen(p.child.pid());
  for (UniqueFd* fd : {&p.stdin_fd, &p.stdout_fd, &p.stderr_fd, &p.pty}) {
    if (*fd) RETURN_IF_ERROR(SetNonBlocking(*fd));
  }
  return p;
}

}  // namespace podagent
