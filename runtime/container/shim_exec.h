#pragma once
// The daemon's side of the shim's streaming helpers (on top of ShimLauncher's sealed binary):
//   StartStreamingExec: `podagent-shim exec [--tty] [--stdin]` with pipes or a pty for its stdio;
//   ConnectInNetns:     `podagent-shim connect`, a TCP socket made inside a pod's network
//                       namespace and handed back, so no daemon thread ever calls setns.

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "runtime/common/unique_fd.h"
#include "runtime/container/shim_launcher.h"
#include "runtime/process/child_process.h"

namespace podagent {

// A streaming exec: the helper process and the daemon's ends of its stdio. With a tty, `pty` is
// the master (read output, write input, resize) and the other fds are invalid; otherwise stdin
// (when asked for) is the write end of a pipe and stdout/stderr the read ends. All fds are
// O_CLOEXEC and non-blocking. `pidfd` polls readable when the helper exits (it exits after the
// command; killing it kills the command).
struct ExecProcess {
  ChildProcess child;
  UniqueFd pidfd;
  UniqueFd stdin_fd, stdout_fd, stderr_fd, pty;
};

struct ExecIo {
  bool tty = false;
  bool stdin = false;
};

// Runs `cmd` in the running container `pid` (its namespaces, cgroup, user, capabilities,
// seccomp, as ExecSync does), wired as `io` asks.
absl::StatusOr<ExecProcess> StartStreamingExec(const ShimLauncher& launcher, const std::string& state_dir, pid_t pid,
                                               const std::vector<std::string>& cmd, const ExecIo& io);

// A non-blocking TCP socket connected to 127.0.0.1:`port` inside the network namespace at
// `netns_path`. Unavailable when nothing listens there.
absl::StatusOr<UniqueFd> ConnectInNetns(const ShimLauncher& launcher, const std::string& netns_path, int port,
                                        absl::Duration timeout);

}  // namespace podagent
