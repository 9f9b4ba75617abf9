#include "runtime/shim/exec_mode.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/common/fd_passing.h"
#include "runtime/common/files.h"
#include "runtime/common/unique_fd.h"
#include "runtime/container/container_spec.h"
#include "runtime/container/shim_records.h"
#include "runtime/shim/cgroup_join.h"
#include "runtime/shim/container_pty.h"
#include "runtime/shim/process_setup.h"

namespace podagent::shim {
namespace {

int Fail(const std::string& message, int code = 126) {
  std::string line = "podagent-shim exec: " + message + "\n";
  ssize_t ignored = ::write(2, line.data(), line.size());
  (void)ignored;
  return code;
}

sigset_t StopSignals() {
  sigset_t s;
  sigemptyset(&s);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&s, sig);
  return s;
}

int ExitCodeOf(int status) { return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status); }

// Waits for the command. A stop signal (the daemon's timeout) kills its whole process group and
// reaps the command here, so it never lingers as a zombie under the container's PID 1.
int WaitOrKill(pid_t child, const sigset_t& mask) {
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(child, &status, WNOHANG);
    if (r == child) return ExitCodeOf(status);
    if (r < 0 && errno != EINTR) return Fail("waitpid");
    siginfo_t si;
    int sig = ::sigwaitinfo(&mask, &si);
    if (sig < 0 || sig == SIGCHLD) continue;
    ::kill(-child, SIGKILL);
    ::kill(child, SIGKILL);
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return 128 + SIGKILL;
  }
}

// --tty: makes the command's terminal on the container's devpts (after the mnt switch), sends
// the master to the daemon over kPtyReplyFd and puts the slave on fds 0-2. Until then fd 2 is the
// daemon's error pipe, so a failure here is reported both ways.
constexpr int kPtyReplyFd = 3;

int TakeContainerPty(uid_t uid) {
  UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  absl::StatusOr<PtyPair> pty = root ? OpenContainerPty(root.Get(), uid) : ErrnoError("open /");
  if (!pty.ok()) {
    int code = absl::IsFailedPrecondition(pty.status()) ? ENOTTY : EIO;  // the message goes to fd 2
    SendFdReply(kPtyReplyFd, code, -1).IgnoreError();
    return Fail(std::string(pty.status().message()));
  }
  if (absl::Status sent = SendFdReply(kPtyReplyFd, 0, pty->master.Get()); !sent.ok()) {
    return Fail(std::string(sent.message()));
  }
  for (int fd : {0, 1, 2}) {
    if (::dup2(pty->slave.Get(), fd) < 0) return Fail(absl::StrCat("dup2 pty slave: ", strerror(errno)));
  }
  ::close(kPtyReplyFd);
  return 0;
}

}  // namespace

int RunExec(int argc, char** argv) {
  // Streaming exec options come first: --tty (fd 3 is a socket for the pty master, see
  // TakeContainerPty; the slave becomes the controlling terminal of a new session) and --stdin
  // (keep the caller's fd 0 instead of /dev/null).
  bool tty = false, keep_stdin = false;
  while (argc > 2 && (std::string(argv[2]) == "--tty" || std::string(argv[2]) == "--stdin")) {
    (std::string(argv[2]) == "--tty" ? tty : keep_stdin) = true;
    argv[2] = argv[1];
    ++argv;
    --argc;
  }
  if (argc < 5) return Fail("usage: podagent-shim exec <state_dir> <pid> <command> [args...]");
  std::string state_dir = argv[2];
  pid_t pid = 0;
  if (!absl::SimpleAtoi(argv[3], &pid) || pid <= 0) return Fail(absl::StrCat("bad pid ", argv[3]));
  auto text = ReadFile(SpecPath(state_dir));
  if (!text.ok()) return Fail(std::string(text.status().message()));
  auto spec = ContainerSpecFromJson(nlohmann::json::parse(*text, nullptr, false));
  if (!spec.ok()) return Fail(std::string(spec.status().message()));

  // Open every namespace before entering any: after the mnt switch /proc is the container's.
  static const std::pair<const char*, int> kNs[] = {
      // cgroup: the container's own (v2) or the host's, so /proc/self/cgroup reads as for the entrypoint.
      {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET}, {"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS}};
  std::vector<std::pair<UniqueFd, int>> ns;
  for (const auto& [name, type] : kNs) {
    std::string path = absl::StrCat("/proc/", pid, "/ns/", name);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return Fail(absl::StrCat("open ", path, ": ", strerror(errno)));
    ns.emplace_back(std::move(fd), type);
  }
  if (auto st = JoinCgroups(spec->cgroup_procs_files); !st.ok()) return Fail(std::string(st.message()));
  // The container's oom_score_adj, not the daemon's: written through the host's /proc (before
  // the mnt switch) and inherited by the command. Its rlimits are set in the child below.
  if (auto st = ApplyOomScoreAdj(spec->process); !st.ok()) return Fail(std::string(st.message()));
  for (const auto& [fd, type] : ns) {
    if (::setns(fd.Get(), type) != 0) return Fail(absl::StrCat("setns ", type, ": ", strerror(errno)));
  }
  ns.clear();
  if (::chdir("/") != 0) return Fail("chdir /");
  if (tty) {
    if (int rc = TakeContainerPty(spec->process.uid); rc != 0) return rc;
  }

  ProcessSpec p = spec->process;
  p.args.assign(argv + 4, argv + argc);
  sigset_t mask = StopSignals(), old;
  sigaddset(&mask, SIGCHLD);
  if (::sigprocmask(SIG_BLOCK, &mask, &old) != 0) return Fail("sigprocmask");
  pid_t child = ::fork();
  if (child < 0) return Fail("fork");
  if (child == 0) {
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    if (tty) {
      // A new session makes the command a process group leader too: what a timeout kills.
      if (::setsid() < 0 || ::ioctl(0, TIOCSCTTY, 0) != 0) _exit(Fail(absl::StrCat("set controlling tty: ", strerror(errno))));
    } else {
      ::setpgid(0, 0);  // its own process group: what a timeout kills
      if (!keep_stdin) {
        UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        if (null) ::dup2(null.Get(), 0);
      }
    }
    absl::Status st = ApplyRlimits(p);
    if (!st.ok()) _exit(Fail(std::string(st.message())));
    st = SecureAndExec(p, -1, /*die_with_parent=*/true);
    _exit(Fail(std::string(st.message()), absl::IsNotFound(st) ? 127 : 126));
  }
  // Also here, so no kill of the group can miss it; not for a tty, whose child must still be able
  // to call setsid (which fails for a process group leader).
  if (!tty) ::setpgid(child, child);
  return WaitOrKill(child, mask);
}

}  // namespace podagent::shim
