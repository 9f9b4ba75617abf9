#include "runtime/shim/container_init.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "runtime/common/files.h"
#include "runtime/shim/cgroup_join.h"
#include "runtime/shim/cgroup_view.h"
#include "runtime/shim/container_pty.h"
#include "runtime/shim/devices.h"
#include "runtime/shim/process_setup.h"
#include "runtime/shim/rootfs.h"
#include "runtime/shim/setup_channel.h"

namespace podagent::shim {
namespace {

[[noreturn]] void Fail(int channel, const absl::Status& st) {
  int err = errno;
  SendError(channel, err, std::string(st.message()));
  _exit(127);
}

[[noreturn]] void FailErrno(int channel, const std::string& what) {
  int err = errno;
  SendError(channel, err, absl::StrCat(what, ": ", strerror(err)));
  _exit(127);
}

// A tty container, once its root is in place: a pty on its own devpts (so `tty` inside names
// /dev/pts/N), the master to the shim, the slave as fds 0-2 and the new session's terminal.
void TakeTerminal(int ch, uid_t uid) {
  UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) FailErrno(ch, "open / for the terminal");
  absl::StatusOr<PtyPair> pty = OpenContainerPty(root.Get(), uid);
  if (!pty.ok()) Fail(ch, pty.status());
  if (!SendPty(ch, pty->master.Get())) FailErrno(ch, "send the pty master");
  for (int fd : {0, 1, 2}) {
    if (::dup2(pty->slave.Get(), fd) < 0) FailErrno(ch, "dup2 pty slave");
  }
  if (::ioctl(0, TIOCSCTTY, 0) != 0) FailErrno(ch, "set controlling tty");
}

[[noreturn]] void RunInitStage(const ContainerSpec& spec, const InitFds& fds) {
  int ch = fds.channel;
  if (::setsid() < 0) FailErrno(ch, "setsid");
  if (::dup2(fds.stdin_fd, 0) < 0 || ::dup2(fds.stdout_fd, 1) < 0 || ::dup2(fds.stderr_fd, 2) < 0) {
    FailErrno(ch, "dup2 stdio");
  }
  ::umask(0);
  if (auto st = ApplyOomScoreAdj(spec.process); !st.ok()) Fail(ch, st);
  if (auto st = ApplyRlimits(spec.process); !st.ok()) Fail(ch, st);
  if (auto st = BuildRootfs(spec); !st.ok()) Fail(ch, st);
  if (auto st = FinishRootfs(spec); !st.ok()) Fail(ch, st);
  if (spec.process.tty) TakeTerminal(ch, spec.process.uid);
  ::umask(022);
  absl::Status st = SecureAndExec(spec.process, ch);
  Fail(ch, st);
}

}  // namespace

void RunNamespaceStage(const ContainerSpec& spec, const InitFds& fds) {
  int ch = fds.channel;
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // Join before creating: the new namespaces then belong where the joined ones live.
  if (fds.ipc_ns >= 0 && ::setns(fds.ipc_ns, CLONE_NEWIPC) != 0) FailErrno(ch, "setns ipc " + spec.namespaces.ipc_path);
  if (fds.net_ns >= 0 && ::setns(fds.net_ns, CLONE_NEWNET) != 0) FailErrno(ch, "setns net " + spec.namespaces.net_path);
  if (fds.pid_ns >= 0 && ::setns(fds.pid_ns, CLONE_NEWPID) != 0) FailErrno(ch, "setns pid " + spec.namespaces.pid_path);
  int flags = CLONE_NEWNS;
  if (!spec.namespaces.host_uts) flags |= CLONE_NEWUTS;
  if (fds.pid_ns < 0 && !spec.namespaces.host_pid) flags |= CLONE_NEWPID;
  if (::unshare(flags) != 0) FailErrno(ch, "unshare");
  if (!spec.namespaces.host_uts && !spec.hostname.empty() &&
      ::sethostname(spec.hostname.data(), spec.hostname.size()) != 0) {
    FailErrno(ch, "sethostname " + spec.hostname);
  }
  // Before joining the cgroup: its device rules may not allow mknod of what the CRI grants.
  if (auto st = StageDeviceNodes(spec); !st.ok()) Fail(ch, st);
  if (auto st = JoinCgroups(spec.cgroup_procs_files); !st.ok()) Fail(ch, st);
  // After joining the cgroups: the new cgroup namespace is rooted at the container's cgroup.
  if (WantsCgroupNamespace(spec) && ::unshare(CLONE_NEWCGROUP) != 0) FailErrno(ch, "unshare cgroup namespace");
  pid_t init = ::fork();
  if (init < 0) FailErrno(ch, "fork container init");
  if (init == 0) RunInitStage(spec, fds);
  SendPid(ch, init);
  _exit(0);
}

}  // namespace podagent::shim
