#pragma once
// oom_score_adj for processes the daemon starts. Without CAP_SYS_RESOURCE a process may not go
// below its parent's value (EACCES): kubelet asks -998 for sandboxes and -997 for guaranteed
// pods, so the policy decides: "clamp" (use the daemon's own value, with a warning) or "fail".

#include <sys/types.h>

#include <string>

#include "absl/status/statusor.h"

namespace podagent {

struct OomScoreDecision {
  int value = 0;
  bool clamped = false;  // the request was below what we may set
};

// The value to set for a request, given the daemon's own value and the policy. `can_lower`:
// whether the daemon holds CAP_SYS_RESOURCE. InvalidArgument for values outside -1000..1000 or
// an unknown policy; FailedPrecondition under "fail" when the request cannot be honoured.
absl::StatusOr<OomScoreDecision> DecideOomScoreAdj(int requested, int own, bool can_lower, const std::string& policy);

absl::StatusOr<int> ReadOomScoreAdj(pid_t pid);  // 0 = self
absl::Status WriteOomScoreAdj(pid_t pid, int value);
bool HasCapSysResource();

}  // namespace podagent
