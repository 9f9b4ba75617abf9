#pragma once
// ChildProcess: one process identified by pid + start time (from /proc/PID/stat), with a pidfd
// where the kernel has one, so a reused pid is never signalled. Move-only; destruction does not
// kill (a pause or shim outlives the daemon) but reaps if it is our exited child.

#include <sys/types.h>

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "runtime/common/unique_fd.h"

namespace podagent {

// What survives a daemon restart in a record: enough to find the same process again.
struct ProcessIdentity {
  pid_t pid = 0;
  uint64_t start_time = 0;  // /proc/PID/stat field 22
};

struct ExitStatus {
  int exit_code = -1;  // when exited normally
  int signal = 0;      // when killed by a signal
  bool known = true;   // false when the status was reaped elsewhere (not our child)
};

class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(ChildProcess&&) noexcept;
  ChildProcess& operator=(ChildProcess&&) noexcept;
  ~ChildProcess();

  // A process this daemon just created (it will be reaped here). `pidfd` may be invalid.
  static absl::StatusOr<ChildProcess> FromChild(pid_t pid, UniqueFd pidfd);
  // A process found again from a record (after a restart): NotFound when that pid is gone or
  // now names another process (start time differs).
  static absl::StatusOr<ChildProcess> Adopt(const ProcessIdentity& identity);

  pid_t pid() const { return identity_.pid; }
  const ProcessIdentity& identity() const { return identity_; }
  bool valid() const { return identity_.pid > 0; }

  // True until the process has exited (a zombie counts as exited).
  bool Alive();
  // The pidfd that poll() reports readable once the process exits, for a wait on many processes
  // in one call; -1 when there is none or the exit is already known (Alive() then answers
  // without a syscall). A readable fd says "ask Alive()", which reaps our child.
  int ExitFd() const { return exit_ ? -1 : pidfd_.Get(); }
  // Sends `sig` only to this process: through the pidfd, or after checking the start time.
  // OK when the process has already exited.
  absl::Status Signal(int sig);
  // Waits until the process has exited, up to `timeout`; DeadlineExceeded otherwise.
  absl::StatusOr<ExitStatus> Wait(absl::Duration timeout);
  // SIGTERM, wait up to `grace`, then SIGKILL and wait. Idempotent.
  absl::StatusOr<ExitStatus> Terminate(int sig, absl::Duration grace);

 private:
  bool TryReap();          // our child: waitid WNOHANG; true once reaped
  bool SameProcess() const;  // start time still matches

  ProcessIdentity identity_;
  UniqueFd pidfd_;
  bool is_child_ = false;
  std::optional<ExitStatus> exit_;
};

}  // namespace podagent
