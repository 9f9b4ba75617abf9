#pragma once
// Starting podagent-pause in the pod's new namespaces (clone flags at creation) and waiting for
// its one-line report on the ready pipe: "ok", or "error <errno> <step>: <detail>".

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "runtime/process/child_process.h"
#include "runtime/sandbox/sysctls.h"

namespace podagent {

struct PauseSpec {
  std::string pod_id;  // for messages
  std::string binary;  // absolute path of podagent-pause
  bool new_net = true, new_ipc = true, new_pid = true, new_uts = true;  // a new MNT ns always
  std::string hostname;                         // set inside when new_uts
  std::vector<std::string> cgroup_procs_files;  // pause joins these first
  std::vector<PodSysctl> sysctls;
  absl::Duration ready_timeout = absl::Seconds(10);
};

// The argv podagent-pause gets for `spec` (ready fd 3).
std::vector<std::string> PauseArgv(const PauseSpec& spec);
// The clone flags for `spec`.
int PauseCloneFlags(const PauseSpec& spec);
// Parses the report line; OK for "ok".
absl::Status ParsePauseReport(const std::string& pod_id, const std::string& line);

// Started and ready, or an error (the pause is then gone and reaped).
absl::StatusOr<ChildProcess> StartPause(const PauseSpec& spec);

}  // namespace podagent
