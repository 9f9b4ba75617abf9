#pragma once
// systemd unit names as the systemd cgroup driver uses them (pure, no D-Bus): kubelet names a
// pod's cgroup by a slice ("kubepods-burstable-pod1234.slice"), whose cgroup path systemd derives
// by dash-expansion ("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice");
// each container is a transient scope "podagent-<id>.scope".
// Rules as systemd(1) defines them (systemd.unit(5), systemd.slice(5)): at most 255 bytes of
// [A-Za-z0-9:_.\-], a non-empty prefix, no leading, trailing or double dash in a slice's prefix;
// "-.slice" is the root slice.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace podagent::systemd {

inline constexpr char kRootSlice[] = "-.slice";

// OK for a well-formed slice name; InvalidArgument naming the rule it breaks otherwise.
absl::Status ValidateSliceName(const std::string& name);

// The cgroup path (relative to the hierarchy root) systemd gives `slice`: "/" for "-.slice",
// else one directory per dash-separated prefix, each escaped as systemd escapes cgroup names
// (a leading '_' where a name could be mistaken for a kernel file, e.g. "cpu.slice").
absl::StatusOr<std::string> SliceCgroupPath(const std::string& slice);

// "podagent-<id>.scope" for a container id of [0-9a-f] (1 to 64 characters).
absl::StatusOr<std::string> ScopeName(const std::string& container_id);

// The systemd driver's layout of a pod (what cgroupfs spells "<parent>/pod<id>", "<pod>/pause",
// "<pod>/<container id>"): the pod is a slice podagent owns under the parent slice, the pause and
// each container a scope in it. Unit names are global, so each carries its pod's or container's id.
//
// The pod slice "<parent stem>-pod<id>.slice" ("kubepods-burstable-pod<uid>-pod<id>.slice"; under
// "-.slice" just "pod<id>.slice") and its cgroup path. `parent` is a slice name as kubelet passes it
// ("kubepods-burstable-pod<uid>.slice") or that slice's cgroup path; InvalidArgument otherwise.
absl::StatusOr<std::string> PodSlicePath(const std::string& parent, const std::string& pod_id);
// "<pod slice path>/podagent-<pod id>-pause.scope".
absl::StatusOr<std::string> PauseScopePath(const std::string& pod_path, const std::string& pod_id);
// "<pod slice path>/podagent-<container id>.scope".
absl::StatusOr<std::string> ContainerScopePath(const std::string& pod_path, const std::string& container_id);
// True for a slice PodSlicePath names (its last dash part is "pod" and a 64-hex podagent id):
// podagent made it and stops it; kubelet's pod slices ("pod<uid>", dashes as '_') never match.
bool IsPodagentPodSlice(const std::string& slice);
// The unit a cgroup path's last component names ("" when it is neither a slice nor a scope),
// undoing systemd's escape ("_cpu.slice" is cpu.slice).
std::string UnitOfPath(const std::string& path);

}  // namespace podagent::systemd
