#pragma once
// CRI LinuxContainerResources <-> CgroupResources. Zero means "not set" in the CRI, so only
// non-zero fields become set fields; malformed values are InvalidArgument.

#include "absl/status/statusor.h"
#include "agent/services.h"
#include "runtime/cgroups/cgroup.h"

namespace podagent {

absl::StatusOr<CgroupResources> ToCgroupResources(const cri::LinuxContainerResources& r);
void ToCriResources(const CgroupResources& in, cri::LinuxContainerResources* out);

}  // namespace podagent
