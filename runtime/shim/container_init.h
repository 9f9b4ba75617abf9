#pragma once
// The two processes that build a container, forked by the shim:
//   namespace stage: joins the pod's namespaces by fd (ipc, net, pid), then creates the container's
//     own (mnt, uts, and pid unless it joined one), sets the hostname, joins the container cgroup,
//     forks the init stage (which becomes PID 1 of a new pid namespace), reports its pid, exits.
//   init stage: stdio, oom_score_adj, rlimits, rootfs, pivot_root, masked/read-only paths, user,
//     capabilities, no_new_privs, seccomp, execve of the container process.
// Failures are sent over the setup channel in its fixed form; neither stage ever returns.

#include "runtime/container/container_spec.h"

namespace podagent::shim {

struct InitFds {
  int ipc_ns = -1, net_ns = -1, pid_ns = -1;  // -1: do not join
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
  int channel = -1;
};

[[noreturn]] void RunNamespaceStage(const ContainerSpec& spec, const InitFds& fds);

}  // namespace podagent::shim
