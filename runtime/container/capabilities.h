#pragma once
// Container capabilities: names ("CAP_NET_ADMIN"), the Kubernetes default set, add/drop as the
// CRI gives them ("NET_ADMIN", "CAP_NET_ADMIN" or "ALL"), and applying a set with libcap.

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace podagent {

// The default set of containerd/CRI-O for Kubernetes containers.
std::vector<std::string> DefaultCapabilities();
// Every capability the running kernel knows.
std::vector<std::string> KernelCapabilities();
// What "ALL" and privileged mean: every capability the running kernel knows that this process
// holds in its bounding set (as containerd and CRI-O do). A container can never get more than
// the shim it is built by, and the shim has the daemon's bounding set (these VMs lack
// CAP_SYS_RESOURCE; production nodes may lack others).
std::vector<std::string> AllCapabilities();

// "net_admin", "NET_ADMIN" and "CAP_NET_ADMIN" -> "CAP_NET_ADMIN"; InvalidArgument when unknown.
absl::StatusOr<std::string> NormalizeCapability(const std::string& name);

// privileged: `all`. Else the default set (less what `all` lacks); "ALL" in add -> `all`; "ALL" in
// drop -> none; then the named adds are added and the named drops removed. Sorted. A named add
// outside `all` is FailedPrecondition: this node cannot grant it.
absl::StatusOr<std::vector<std::string>> ComputeCapabilities(const std::vector<std::string>& add,
                                                             const std::vector<std::string>& drop, bool privileged,
                                                             const std::vector<std::string>& all);
// The same with `all` = AllCapabilities().
absl::StatusOr<std::vector<std::string>> ComputeCapabilities(const std::vector<std::string>& add,
                                                             const std::vector<std::string>& drop, bool privileged);

// Removes every capability but `keep` from the bounding set (needs CAP_SETPCAP: call before
// switching to a non-root user). Capabilities already gone are skipped.
absl::Status DropBoundingCapabilities(const std::vector<std::string>& keep);

// In the calling process (before exec, after setuid with PR_SET_KEEPCAPS): drops every other
// capability from the bounding set, clears inheritable and ambient, and sets effective and
// permitted to `caps` for uid 0 or to nothing for other users.
absl::Status ApplyCapabilities(const std::vector<std::string>& caps, uid_t uid);

}  // namespace podagent
