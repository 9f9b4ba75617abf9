#pragma once
// Loading the device program (device_program.h) with the bpf syscall and attaching it to a
// cgroup v2 directory as BPF_CGROUP_DEVICE (BPF_F_ALLOW_MULTI: ancestors' programs still run and
// must allow too). The cgroup keeps the program alive after the fd is closed, until the cgroup is
// removed. Needs CAP_SYS_ADMIN (or CAP_BPF).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/cgroups/device_rules.h"

namespace podagent {

// Attaches a program allowing exactly `allow` to the cgroup2 directory `cgroup_dir`, then
// detaches the device programs that were attached to it directly before (so a re-apply replaces
// the rules without a moment of no rules).
absl::Status AttachDeviceProgram(const std::string& cgroup_dir, const std::vector<DeviceRule>& allow);

// Ids of the BPF_CGROUP_DEVICE programs attached directly to `cgroup_dir`.
absl::StatusOr<std::vector<uint32_t>> AttachedDevicePrograms(const std::string& cgroup_dir);

}  // namespace podagent
