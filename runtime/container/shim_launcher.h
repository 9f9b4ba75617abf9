#pragma once
// The daemon's side of podagent-shim. The shim binary is copied once into a sealed memfd
// (F_SEAL_WRITE|SHRINK|GROW|SEAL) and every shim is exec'd from that copy: a process inside a
// container that reaches the shim or the exec helper through /proc/PID/exe finds a memfd that
// cannot be written, never the file on the host (the runc CVE-2019-5736 class). All shims share
// the one copy's pages. Processes are started with runtime/process Spawn (clone+exec, safe in the
// multi-threaded daemon), never with a bare fork.

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "runtime/common/unique_fd.h"
#include "runtime/container/shim_records.h"

namespace podagent {

struct ExecSyncResult {
  int exit_code = 0;
  std::string out, err;
};

class ShimLauncher {
 public:
  // Copies `shim_binary` into a sealed memfd. NotFound when the binary is missing.
  static absl::StatusOr<std::unique_ptr<ShimLauncher>> Create(const std::string& shim_binary);

  // Runs `podagent-shim start state_dir` and waits (up to `timeout`) for its report: the started
  // container, or the setup error as a status naming the failed step.
  absl::StatusOr<StartRecord> Start(const std::string& state_dir, absl::Duration timeout) const;

  // Runs a command in the running container `pid`. Output beyond `output_limit` bytes per stream
  // is dropped. DeadlineExceeded (after killing it) when it runs past `timeout`.
  absl::StatusOr<ExecSyncResult> ExecSync(const std::string& state_dir, pid_t pid, const std::vector<std::string>& cmd,
                                          absl::Duration timeout, size_t output_limit) const;

  // The path that names the sealed copy (for exec): /proc/<daemon pid>/fd/<memfd>.
  std::string ExecPath() const;

 private:
  explicit ShimLauncher(UniqueFd memfd) : memfd_(std::move(memfd)) {}
  UniqueFd memfd_;
};

}  // namespace podagent
