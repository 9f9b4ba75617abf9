#include "runtime/process/oom_score.h"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"

namespace podagent {
namespace {

std::string PathOf(pid_t pid) {
  return pid == 0 ? "/proc/self/oom_score_adj" : absl::StrCat("/proc/", pid, "/oom_score_adj");
}

}  // namespace

absl::StatusOr<OomScoreDecision> DecideOomScoreAdj(int requested, int own, bool can_lower, const std::string& policy) {
  if (requested < -1000 || requested > 1000) {
    return absl::InvalidArgumentError(absl::StrCat("oom_score_adj ", requested, " is outside -1000..1000"));
  }
  if (policy != "clamp" && policy != "fail") {
    return absl::InvalidArgumentError(absl::StrCat("oom_score_adj_policy \"", policy, "\" is not clamp or fail"));
  }
  if (requested >= own || can_lower) return OomScoreDecision{requested, false};
  if (policy == "fail") {
    return absl::FailedPreconditionError(absl::StrCat("oom_score_adj ", requested, " is below the daemon's own ", own,
                                                      " and CAP_SYS_RESOURCE is missing"));
  }
  return OomScoreDecision{own, true};
}

absl::StatusOr<int> ReadOomScoreAdj(pid_t pid) {
  ASSIGN_OR_RETURN(std::string content, ReadFile(PathOf(pid)));
  int value = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(content), &value)) {
    return absl::InternalError(absl::StrCat("parse ", PathOf(pid), ": \"", content, "\""));
  }
  return value;
}

absl::Status WriteOomScoreAdj(pid_t pid, int value) { return WriteFile(PathOf(pid), std::to_string(value)); }

bool HasCapSysResource() {
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  if (::syscall(SYS_capget, &header, data) != 0) return false;
  return (data[CAP_SYS_RESOURCE / 32].effective & (1u << (CAP_SYS_RESOURCE % 32))) != 0;
}

}  // namespace podagent
