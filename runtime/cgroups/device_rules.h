#pragma once
// Device access rules for a cgroup, in the shape of the v1 devices controller's lines
// ("c 1:3 rwm"): deny everything, then allow the listed nodes. The same rules become
// devices.deny/devices.allow writes on cgroup v1 and a BPF_CGROUP_DEVICE program on v2.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace podagent {

struct DeviceRule {
  char type = 'a';         // 'a' (all), 'c' (char), 'b' (block)
  int64_t major = -1;      // -1: any
  int64_t minor = -1;      // -1: any
  std::string access = "rwm";  // a non-empty subset of "rwm"
};

// The nodes every container may use, as runc and crun allow them: null, zero, full, random,
// urandom, tty, console, ptmx, the pts devices (/dev/pts/*), and /dev/fuse only when `fuse`.
std::vector<DeviceRule> DefaultDeviceRules(bool fuse = false);

// One rule that allows every device with every access (privileged containers).
DeviceRule AllowAllDevices();

// "c 1:3 rwm", "a *:* rwm": the line devices.allow/devices.deny takes.
std::string DeviceRuleLine(const DeviceRule& rule);

// A rule for a host node the CRI grants: type and numbers from `st_mode`/`st_rdev`;
// `permissions` must be a non-empty subset of "rwm" (InvalidArgument otherwise).
absl::StatusOr<DeviceRule> DeviceRuleForNode(unsigned st_mode, uint64_t st_rdev, const std::string& permissions);

// InvalidArgument unless `access` is a non-empty subset of "rwm" without repeats.
absl::Status ValidateDeviceAccess(const std::string& access);

}  // namespace podagent
