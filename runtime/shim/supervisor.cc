#include "runtime/shim/supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/common/release_image.h"
#include "runtime/common/unique_fd.h"
#include "runtime/container/shim_records.h"
#include "runtime/process/proc_stat.h"
#include "runtime/shim/attach_server.h"
#include "runtime/shim/container_init.h"
#include "runtime/shim/cri_log.h"
#include "runtime/shim/oom_count.h"
#include "runtime/shim/setup_channel.h"

namespace podagent::shim {
namespace {

constexpr int kSetupTimeoutMs = 60'000;
constexpr int kDrainAfterExitMs = 2'000;

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void Report(int fd, const nlohmann::json& j) {
  std::string s = j.dump() + "\n";
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

int ReportError(int fd, int err, const std::string& message) {
  Report(fd, {{"ok", false}, {"errno", err}, {"message", message}});
  return 1;
}

uint64_t ProcStartTime(pid_t pid) {
  auto stat = ReadProcStat(pid);
  return stat.ok() ? stat->start_time : 0;
}

absl::StatusOr<UniqueFd> OpenNs(const std::string& path) {
  if (path.empty()) return UniqueFd();
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return ErrnoError("open namespace " + path);
  return fd;
}

// Run once the ns files are open. An owner that still has its start time has held its pid since
// the spec was built, so the open fds are its namespaces and not those of a process that was
// given the pid after it died (a host process, in the worst case).
absl::Status CheckNamespaceOwners(const std::vector<NsOwner>& owners) {
  for (const NsOwner& o : owners) {
    uint64_t now = ProcStartTime(o.pid);
    if (now == o.start_time) continue;
    return absl::FailedPreconditionError(
        absl::StrCat("the process whose namespaces the container joins (pid ", o.pid, ") is gone",
                     now != 0 ? " and its pid names another process now" : "", ": the pod must be recreated"));
  }
  return absl::OkStatus();
}

struct Pipe {
  UniqueFd r, w;
};

absl::StatusOr<Pipe> MakePipe() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return ErrnoError("pipe");
  return Pipe{UniqueFd(p[0]), UniqueFd(p[1])};
}

absl::StatusOr<UniqueFd> DupCloexec(const UniqueFd& fd) {
  UniqueFd d(::fcntl(fd.Get(), F_DUPFD_CLOEXEC, 3));
  if (!d) return ErrnoError("dup pty master");
  return d;
}

// The container as the shim follows it once it runs.
class Supervisor {
 public:
  Supervisor(const ContainerSpec& spec, CriLogWriter& log) : spec_(spec), log_(log) {}

  absl::Status Prepare();
  // A tty container: one pty, made on the container's devpts by its init stage, whose slave is
  // the container's stdin, stdout and stderr; its output is the container's stdout, and attach
  // writes stdin and sets the window size on it.
  absl::Status AdoptPty(UniqueFd master);
  // Forks the namespace stage; returns the container pid or the setup error.
  absl::StatusOr<pid_t> Launch(int& err);
  int Run(pid_t container);

 private:
  void Reap(pid_t container);
  void ReadStream(Stream s);
  void HangUpPty();
  void ReadControl();
  void HandleSignals(pid_t container);

  const ContainerSpec& spec_;
  CriLogWriter& log_;
  UniqueFd sigfd_, control_;
  Pipe out_, err_, in_;  // with a tty: out_.r and in_.w are copies of the pty master
  UniqueFd null_;
  UniqueFd pty_master_;  // a tty container's, from its init stage; the container holds the slave
  AttachServer attach_;
  std::optional<int> wait_status_;
  std::optional<OomCount> oom_;  // from Prepare
};

absl::Status Supervisor::Prepare() {
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGCHLD, SIGUSR1, SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, s);
  if (::sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) return ErrnoError("sigprocmask");
  sigfd_.Reset(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sigfd_) return ErrnoError("signalfd");
  ::signal(SIGPIPE, SIG_IGN);
  std::string control = ControlPath(spec_.state_dir);
  ::unlink(control.c_str());
  if (::mkfifo(control.c_str(), 0600) != 0) return ErrnoError("mkfifo " + control);
  control_.Reset(::open(control.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!control_) return ErrnoError("open " + control);
  oom_.emplace(spec_.oom_events_file);
  if (spec_.process.tty) {  // fds 0-2 until the init stage sends the pty master (AdoptPty)
    null_.Reset(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!null_) return ErrnoError("open /dev/null");
    return attach_.Listen(spec_.state_dir);
  }
  ASSIGN_OR_RETURN(out_, MakePipe());
  ASSIGN_OR_RETURN(err_, MakePipe());
  if (spec_.process.stdin) {
    ASSIGN_OR_RETURN(in_, MakePipe());
    if (::fcntl(in_.w.Get(), F_SETFL, O_NONBLOCK) != 0) return ErrnoError("fcntl stdin pipe");
    attach_.SetStdin(&in_.w, spec_.process.stdin_once);
  } else {
    null_.Reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!null_) return ErrnoError("open /dev/null");
  }
  return attach_.Listen(spec_.state_dir);
}

absl::Status Supervisor::AdoptPty(UniqueFd master) {
  if (pty_master_) return absl::InternalError("a second pty from the container's setup");
  pty_master_ = std::move(master);
  if (::fcntl(pty_master_.Get(), F_SETFL, O_NONBLOCK) != 0) return ErrnoError("fcntl pty master");
  ASSIGN_OR_RETURN(out_.r, DupCloexec(pty_master_));
  // Without stdin asked for, nothing ever writes the terminal: the container reads nothing.
  if (spec_.process.stdin) {
    ASSIGN_OR_RETURN(in_.w, DupCloexec(pty_master_));
    attach_.SetStdin(&in_.w, spec_.process.stdin_once);
  }
  attach_.SetPty(pty_master_.Get());
  return absl::OkStatus();
}

absl::StatusOr<pid_t> Supervisor::Launch(int& err) {
  ASSIGN_OR_RETURN(UniqueFd ipc, OpenNs(spec_.namespaces.ipc_path));
  ASSIGN_OR_RETURN(UniqueFd net, OpenNs(spec_.namespaces.net_path));
  ASSIGN_OR_RETURN(UniqueFd pidns, OpenNs(spec_.namespaces.pid_path));
  RETURN_IF_ERROR(CheckNamespaceOwners(spec_.namespaces.owners));
  int sp[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0) return ErrnoError("socketpair");
  UniqueFd mine(sp[0]), theirs(sp[1]);
  InitFds fds{ipc.Get(), net.Get(), pidns.Get(), in_.r ? in_.r.Get() : null_.Get(), out_.w.Get(), err_.w.Get(),
              theirs.Get()};
  if (spec_.process.tty) fds.stdin_fd = fds.stdout_fd = fds.stderr_fd = null_.Get();
  pid_t stage = ::fork();
  if (stage < 0) return ErrnoError("fork");
  if (stage == 0) RunNamespaceStage(spec_, fds);
  theirs.Reset();
  out_.w.Reset();
  err_.w.Reset();
  in_.r.Reset();
  pid_t container = 0;
  std::string error;
  for (;;) {
    struct pollfd p {mine.Get(), POLLIN, 0};
    int n = ::poll(&p, 1, kSetupTimeoutMs);
    if (n == 0) {
      error = "container setup timed out";
      err = ETIMEDOUT;
      break;
    }
    SetupMsg msg;
    if (!ReadMsg(mine.Get(), msg)) break;
    if (msg.kind == MsgKind::kPid) container = msg.err;
    if (msg.kind == MsgKind::kPty && error.empty()) {
      if (absl::Status st = AdoptPty(std::move(msg.fd)); !st.ok()) {
        error = std::string(st.message());
        err = EIO;
      }
    }
    if (msg.kind == MsgKind::kError && error.empty()) {
      error = msg.text;
      err = msg.err;
    }
  }
  int st;
  while (::waitpid(stage, &st, 0) < 0 && errno == EINTR) {
  }
  if (error.empty() && container <= 0) {
    error = "container setup ended without a process";
    err = EIO;
  }
  if (error.empty() && spec_.process.tty && !pty_master_) {
    error = "container setup ended without the container's terminal";
    err = EIO;
  }
  if (!error.empty()) {
    if (container > 0) {
      ::kill(container, SIGKILL);
      while (::waitpid(container, &st, 0) < 0 && errno == EINTR) {
      }
    }
    return absl::InternalError(error);
  }
  return container;
}

void Supervisor::Reap(pid_t container) {
  for (;;) {
    int st;
    pid_t p = ::waitpid(-1, &st, WNOHANG);
    if (p <= 0) return;
    if (p != container) continue;
    wait_status_ = st;
    if (oom_) oom_->AtExit();  // now, before systemd can remove an emptied scope's cgroup
  }
}

void Supervisor::ReadStream(Stream s) {
  Pipe& p = s == Stream::kStdout ? out_ : err_;
  char buf[65536];
  ssize_t n = ::read(p.r.Get(), buf, sizeof buf);
  if (n > 0) {
    log_.Feed(s, buf, static_cast<size_t>(n));
    attach_.Broadcast(s, buf, static_cast<size_t>(n));
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {  // a pty master: EIO once the slave is closed
    log_.Flush(s);
    p.r.Reset();
  }
}

// stdin_once ended a tty container's input: what the terminal holds goes to the log, then every
// copy of the master closes (in_.w already has), so the kernel hangs the terminal up.
void Supervisor::HangUpPty() {
  char buf[65536];
  ssize_t n;
  while (out_.r && (n = ::read(out_.r.Get(), buf, sizeof buf)) > 0) {  // non-blocking: ends at EAGAIN
    log_.Feed(Stream::kStdout, buf, static_cast<size_t>(n));
    attach_.Broadcast(Stream::kStdout, buf, static_cast<size_t>(n));
  }
  log_.Flush(Stream::kStdout);
  out_.r.Reset();
  pty_master_.Reset();
}

void Supervisor::ReadControl() {
  char buf[256];
  ssize_t n = ::read(control_.Get(), buf, sizeof buf);
  if (n > 0 && std::string(buf, static_cast<size_t>(n)).find("reopen") != std::string::npos) log_.Reopen().IgnoreError();
}

void Supervisor::HandleSignals(pid_t container) {
  struct signalfd_siginfo si;
  while (::read(sigfd_.Get(), &si, sizeof si) == sizeof si) {
    if (si.ssi_signo == SIGCHLD) Reap(container);
    if (si.ssi_signo == SIGUSR1) log_.Reopen().IgnoreError();
  }
}

int Supervisor::Run(pid_t container) {
  Reap(container);  // it may have ended already
  int64_t drain_deadline = 0;
  bool released = false;
  for (;;) {
    if (wait_status_ && drain_deadline == 0) drain_deadline = NowNs() + int64_t{kDrainAfterExitMs} * 1000000;
    bool pipes_open = out_.r || err_.r;
    if (wait_status_ && (!pipes_open || NowNs() >= drain_deadline)) break;
    std::vector<struct pollfd> p = {{sigfd_.Get(), POLLIN, 0}, {control_.Get(), POLLIN, 0},
                                    {out_.r ? out_.r.Get() : -1, POLLIN, 0}, {err_.r ? err_.r.Get() : -1, POLLIN, 0}};
    attach_.AppendPollFds(p);
    int timeout = wait_status_ ? static_cast<int>((drain_deadline - NowNs()) / 1000000) + 1 : -1;
    // Set-up is over: hand back its pages before the first sleep (see release_image.h).
    if (!released) {
      ReleaseImagePages(ImageScope::kProgram);
      released = true;
    }
    if (::poll(p.data(), p.size(), timeout) < 0 && errno != EINTR) break;
    if (p[0].revents) HandleSignals(container);
    if (p[1].revents) ReadControl();
    if (p[2].revents) ReadStream(Stream::kStdout);
    if (p[3].revents) ReadStream(Stream::kStderr);
    attach_.Handle(p, 4);
    if (pty_master_ && attach_.HungUp()) HangUpPty();
  }
  attach_.CloseAll();
  // No more requests: a reopen after the end must fail, not wait for a reader that is gone.
  ::unlink(ControlPath(spec_.state_dir).c_str());
  control_.Reset();
  if (out_.r) log_.Flush(Stream::kStdout);
  if (err_.r) log_.Flush(Stream::kStderr);
  ExitRecord rec;
  int st = *wait_status_;
  if (WIFSIGNALED(st)) {
    rec.signal = WTERMSIG(st);
    rec.exit_code = 128 + rec.signal;
  } else {
    rec.exit_code = WEXITSTATUS(st);
  }
  rec.oom_killed = oom_ && oom_->Killed(rec.signal);
  rec.finished_at_ns = NowNs();
  return WriteExitRecord(spec_.state_dir, rec).ok() ? 0 : 1;
}

}  // namespace

int RunStart(const std::string& state_dir, int status_fd) {
  auto text = ReadFile(SpecPath(state_dir));
  if (!text.ok()) return ReportError(status_fd, ENOENT, std::string(text.status().message()));
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  auto spec = ContainerSpecFromJson(j);
  if (!spec.ok()) return ReportError(status_fd, EINVAL, std::string(spec.status().message()));
  // Leave the daemon: it reaps this first process now; the rest lives in its own session.
  pid_t child = ::fork();
  if (child < 0) return ReportError(status_fd, errno, "fork shim");
  if (child > 0) _exit(0);
  ::setsid();
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  ::prctl(PR_SET_NAME, "podagent-shim", 0, 0, 0);
  CriLogWriter log(spec->log_path);
  if (auto st = log.Open(); !st.ok()) return ReportError(status_fd, EIO, std::string(st.message()));
  // Before the container runs: a disk that fills up later cannot take its exit code.
  if (auto st = ReserveExitRecord(state_dir); !st.ok()) {
    return ReportError(status_fd, absl::IsResourceExhausted(st) ? ENOSPC : EIO, std::string(st.message()));
  }
  Supervisor sup(*spec, log);
  if (auto st = sup.Prepare(); !st.ok()) return ReportError(status_fd, EIO, std::string(st.message()));
  int err = 0;
  auto pid = sup.Launch(err);
  if (!pid.ok()) return ReportError(status_fd, err, std::string(pid.status().message()));
  StartRecord rec{*pid, ProcStartTime(*pid), ::getpid(), NowNs()};
  if (auto st = WriteStartRecord(state_dir, rec); !st.ok()) {
    ::kill(*pid, SIGKILL);
    return ReportError(status_fd, EIO, std::string(st.message()));
  }
  Report(status_fd, {{"ok", true}, {"pid", rec.pid}, {"pid_start_time", rec.pid_start_time},
                     {"shim_pid", rec.shim_pid}, {"started_at_ns", rec.started_at_ns}});
  ::close(status_fd);
  return sup.Run(*pid);
}

}  // namespace podagent::shim
