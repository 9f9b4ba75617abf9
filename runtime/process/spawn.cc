#include "runtime/process/spawn.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"

namespace podagent {
namespace {

constexpr int kNamespaceFlags =
    CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWCGROUP;
// The vfork child runs on a buffer in Spawn's own frame, as musl's posix_spawn does: the parent
// is suspended until the child has exec'd or exited, so nothing else uses it meanwhile. A fresh
// mmap'd stack cost a munmap after every spawn, and that munmap a TLB flush on the other CPU the
// child had run on: 0.16 ms median (0.04 to 0.34) on this project's 2-vCPU VMs (perf trace),
// paid by every pause, shim and CNI plugin start. The child allocates nothing and calls only
// thin syscall wrappers, so a few KiB would do.
constexpr size_t kStackSize = 64 * 1024;

// Everything the child needs, prepared by the parent: the child allocates nothing.
struct ChildArgs {
  const char* path = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  const char* cwd = nullptr;
  std::vector<std::pair<int, int>> fds;  // (target, source)
  int null_fd = -1;
  int max_target = 2;
  bool new_session = true;
  sigset_t mask;  // the mask to exec with: empty (a daemon blocks SIGTERM for sigwait; children must not inherit it)
  // Written by the child on failure, read by the parent once the vfork child has gone.
  volatile int failed_errno = 0;
  const char* volatile failed_step = nullptr;
};

[[noreturn]] void Fail(ChildArgs* a, const char* step) {
  a->failed_errno = errno;
  a->failed_step = step;
  _exit(127);
}

int ChildMain(void* arg) {
  auto* a = static_cast<ChildArgs*>(arg);
  // Handlers are the daemon's code: none may run here. Default them all (ignored ones too:
  // an ignored SIGPIPE would be inherited through execve).
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
  }
  if (a->new_session && ::setsid() < 0) Fail(a, "setsid");
  // Move sources above every target first, so one mapping cannot clobber another's source.
  int base = a->max_target + 1;
  for (auto& [target, source] : a->fds) {
    int moved = ::fcntl(source, F_DUPFD_CLOEXEC, base);
    if (moved < 0) Fail(a, "fcntl F_DUPFD");
    source = moved;
  }
  for (const auto& [target, source] : a->fds) {
    if (::dup2(source, target) < 0) Fail(a, "dup2");
  }
  for (int std_fd = 0; std_fd <= 2; ++std_fd) {
    bool mapped = false;
    for (const auto& m : a->fds) mapped = mapped || m.first == std_fd;
    if (!mapped && ::dup2(a->null_fd, std_fd) < 0) Fail(a, "dup2 /dev/null");
  }
  if (::syscall(SYS_close_range, a->max_target + 1, ~0U, 0) != 0) Fail(a, "close_range");
  if (a->cwd != nullptr && ::chdir(a->cwd) != 0) Fail(a, "chdir");
  ::sigprocmask(SIG_SETMASK, &a->mask, nullptr);
  ::execve(a->path, a->argv, a->envp);
  Fail(a, "execve");
}

std::vector<char*> CStrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const std::string& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

absl::Status Validate(const SpawnOptions& o) {
  if (o.argv.empty() || o.argv[0].empty() || o.argv[0][0] != '/') {
    return absl::InvalidArgumentError("spawn: argv[0] must be an absolute program path");
  }
  if ((o.namespace_flags & ~kNamespaceFlags) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("spawn ", o.argv[0], ": namespace_flags holds non-namespace flags"));
  }
  for (const auto& [target, source] : o.fds) {
    if (target < 0 || source < 0 || target > 1024) {
      return absl::InvalidArgumentError(absl::StrCat("spawn ", o.argv[0], ": bad fd mapping ", target, " <- ", source));
    }
  }
  return absl::OkStatus();
}

// Blocks every signal in the calling thread while alive, so no handler runs in the vfork child
// before it has reset them; restores the original mask after.
class BlockAllSignals {
 public:
  BlockAllSignals() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old_);
  }
  ~BlockAllSignals() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_;
};

}  // namespace

absl::StatusOr<ChildProcess> Spawn(const SpawnOptions& o) {
  RETURN_IF_ERROR(Validate(o));
  UniqueFd null_fd(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null_fd) return ErrnoError("open /dev/null");
  std::vector<char*> argv = CStrings(o.argv);
  std::vector<char*> envp = CStrings(o.env);
  ChildArgs a;
  a.path = o.argv[0].c_str();
  a.argv = argv.data();
  a.envp = envp.data();
  a.cwd = o.cwd.empty() ? nullptr : o.cwd.c_str();
  for (const auto& [target, source] : o.fds) {
    a.fds.emplace_back(target, source);
    a.max_target = std::max(a.max_target, target);
  }
  a.null_fd = null_fd.Get();
  a.new_session = o.new_session;

  alignas(64) char stack[kStackSize];
  int pidfd = -1;
  pid_t pid;
  {
    BlockAllSignals blocked;
    sigemptyset(&a.mask);
    int flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD | o.namespace_flags;
    pid = ::clone(ChildMain, stack + kStackSize, flags, &a, &pidfd);
    if (pid < 0 && errno == EINVAL) {  // kernel without CLONE_PIDFD
      pid = ::clone(ChildMain, stack + kStackSize, flags & ~CLONE_PIDFD, &a);
      pidfd = -1;
    }
  }
  int clone_errno = errno;
  if (pid < 0) return ErrnoError(clone_errno, absl::StrCat("clone for ", o.argv[0]));
  UniqueFd owned_pidfd(pidfd);
  if (a.failed_step != nullptr) {
    int err = a.failed_errno;
    ::waitpid(pid, nullptr, 0);
    return ErrnoError(err, absl::StrCat("spawn ", o.argv[0], ": ", a.failed_step));
  }
  return ChildProcess::FromChild(pid, std::move(owned_pidfd));
}

}  // namespace podagent
