#pragma once
// The last steps of the container's init process before execve, in this order: oom_score_adj and
// rlimits (while still privileged), user and groups (keeping capabilities across setuid), the
// capability sets, no_new_privs, seccomp (before the user switch when no_new_privs is off, since
// loading a filter then needs CAP_SYS_ADMIN), marking every fd but stdio close-on-exec, execve.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/container/container_spec.h"

namespace podagent::shim {

// Before pivot_root: things written through the host's /proc.
absl::Status ApplyOomScoreAdj(const ProcessSpec& p);
absl::Status ApplyRlimits(const ProcessSpec& p);

// Looks `arg0` up in PATH (from `env`, else the default) unless it holds a '/'.
absl::StatusOr<std::string> FindExecutable(const std::string& arg0, const std::vector<std::string>& env);

// User, capabilities, no_new_privs, seccomp, fds; then execve. Returns only on failure.
// `keep_fd` stays open until the exec (close-on-exec), for reporting that failure; -1 for none.
// `die_with_parent`: SIGKILL when the parent dies (set after the user switch, which clears it).
absl::Status SecureAndExec(const ProcessSpec& p, int keep_fd, bool die_with_parent = false);

}  // namespace podagent::shim
