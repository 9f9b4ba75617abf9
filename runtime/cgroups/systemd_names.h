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

}  // namespace podagent::systemd
