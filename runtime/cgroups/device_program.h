#pragma once
// The BPF_CGROUP_DEVICE program for a set of device rules (cgroup v2 has no devices files: the
// kernel asks an attached program instead). Pure: rules in, instructions out, so the logic is
// unit-tested without root; device_bpf.h loads and attaches it.
//
// The program reads struct bpf_cgroup_dev_ctx {access_type = access << 16 | type, major, minor},
// tries each rule in order and returns 1 (allow) on the first match, 0 (deny) when none matches.

#include <linux/bpf.h>

#include <vector>

#include "runtime/cgroups/device_rules.h"

namespace podagent {

std::vector<struct bpf_insn> DeviceProgram(const std::vector<DeviceRule>& allow);

}  // namespace podagent
