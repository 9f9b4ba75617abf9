#include "runtime/process/child_process.h"

#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/common/pidfd.h"
#include "runtime/process/proc_stat.h"

namespace podagent {
namespace {

ExitStatus FromSiginfo(const siginfo_t& info) {
  ExitStatus st;
  if (info.si_code == CLD_EXITED) {
    st.exit_code = info.si_status;
  } else {
    st.signal = info.si_status;
  }
  return st;
}

// Milliseconds left until `deadline`, for poll(); at least 0.
int MillisLeft(absl::Time deadline) {
  absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return 0;
  return static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, 1 << 30));
}

}  // namespace

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : identity_(std::exchange(o.identity_, {})),
      pidfd_(std::move(o.pidfd_)),
      is_child_(std::exchange(o.is_child_, false)),
      exit_(std::move(o.exit_)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    if (is_child_ && !exit_) TryReap();
    identity_ = std::exchange(o.identity_, {});
    pidfd_ = std::move(o.pidfd_);
    is_child_ = std::exchange(o.is_child_, false);
    exit_ = std::move(o.exit_);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (is_child_ && !exit_) TryReap();
}

absl::StatusOr<ChildProcess> ChildProcess::FromChild(pid_t pid, UniqueFd pidfd) {
  ChildProcess p;
  p.is_child_ = true;
  p.identity_.pid = pid;
  if (!pidfd) pidfd = PidfdOpen(pid);
  p.pidfd_ = std::move(pidfd);
  // An unreaped child keeps its /proc entry (as a zombie at worst), so this cannot race.
  ASSIGN_OR_RETURN(ProcStat st, ReadProcStat(pid));
  p.identity_.start_time = st.start_time;
  return p;
}

absl::StatusOr<ChildProcess> ChildProcess::Adopt(const ProcessIdentity& identity) {
  if (identity.pid <= 0) return absl::InvalidArgumentError(absl::StrCat("adopt process: bad pid ", identity.pid));
  ChildProcess p;
  p.identity_ = identity;
  p.pidfd_ = PidfdOpen(identity.pid);  // opened before the check: then it names the checked process
  if (!p.SameProcess()) {
    return absl::NotFoundError(absl::StrCat("process ", identity.pid, " (start time ", identity.start_time,
                                            ") is gone"));
  }
  return p;
}

bool ChildProcess::SameProcess() const {
  auto st = ReadProcStat(identity_.pid);
  return st.ok() && st->start_time == identity_.start_time && st->state != 'Z' && st->state != 'X';
}

bool ChildProcess::TryReap() {
  if (exit_) return true;
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(identity_.pid), &info, WEXITED | WNOHANG) != 0) {
    if (errno == ECHILD) {  // reaped elsewhere (or never ours)
      exit_ = ExitStatus{-1, 0, false};
      return true;
    }
    return false;
  }
  if (info.si_pid == 0) return false;
  exit_ = FromSiginfo(info);
  return true;
}

bool ChildProcess::Alive() {
  if (!valid() || exit_) return false;
  if (is_child_) return !TryReap();
  if (pidfd_) {
    struct pollfd pfd = {pidfd_.Get(), POLLIN, 0};
    return ::poll(&pfd, 1, 0) == 0;
  }
  return SameProcess();
}

absl::Status ChildProcess::Signal(int sig) {
  if (!valid()) return absl::FailedPreconditionError("signal process: no process");
  if (exit_ || !Alive()) return absl::OkStatus();
#ifdef SYS_pidfd_send_signal
  if (pidfd_) {
    if (::syscall(SYS_pidfd_send_signal, pidfd_.Get(), sig, nullptr, 0) != 0 && errno != ESRCH) {
      return ErrnoError(absl::StrCat("pidfd_send_signal ", identity_.pid, " signal ", sig));
    }
    return absl::OkStatus();
  }
#endif
  // An unreaped child's pid cannot be reused; anything else is checked by start time first.
  if (!is_child_ && !SameProcess()) return absl::OkStatus();
  if (::kill(identity_.pid, sig) != 0 && errno != ESRCH) {
    return ErrnoError(absl::StrCat("kill ", identity_.pid, " signal ", sig));
  }
  return absl::OkStatus();
}

absl::StatusOr<ExitStatus> ChildProcess::Wait(absl::Duration timeout) {
  if (!valid()) return absl::FailedPreconditionError("wait process: no process");
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    if (exit_) return *exit_;
    if (!Alive()) {
      if (!exit_) exit_ = ExitStatus{-1, 0, false};  // not our child: the status is its parent's
      return *exit_;
    }
    int wait_ms = MillisLeft(deadline);
    if (wait_ms == 0) {
      return absl::DeadlineExceededError(
          absl::StrCat("wait for process ", identity_.pid, ": still running after ", absl::FormatDuration(timeout)));
    }
    if (pidfd_) {
      struct pollfd pfd = {pidfd_.Get(), POLLIN, 0};
      ::poll(&pfd, 1, wait_ms);
    } else {
      ::usleep(static_cast<useconds_t>(std::min(wait_ms, 10) * 1000));
    }
  }
}

absl::StatusOr<ExitStatus> ChildProcess::Terminate(int sig, absl::Duration grace) {
  if (!valid()) return absl::FailedPreconditionError("terminate process: no process");
  RETURN_IF_ERROR(Signal(sig));
  auto st = Wait(grace);
  if (st.ok() || !absl::IsDeadlineExceeded(st.status())) return st;
  RETURN_IF_ERROR(Signal(SIGKILL));
  return Wait(absl::Seconds(10));
}

}  // namespace podagent
