#pragma once
// Unit properties for systemd's StartTransientUnit and SetUnitProperties (pure, no D-Bus): the
// name/value pairs of the "a(sv)" array, and CgroupResources turned into the properties systemd
// has for them (systemd.resource-control(5)). What systemd has no property for (swap, hugepages,
// the unified map, memory.oom.group, devices) stays with the cgroup files of a delegated unit.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/cgroups/cgroup.h"

namespace podagent::systemd {

// systemd's "infinity" for the uint64 limits (MemoryMax, TasksMax, CPUQuotaPerSecUSec).
inline constexpr uint64_t kInfinity = UINT64_MAX;

// One property; the alternative decides the D-Bus type: t, b, s, ay, au.
using PropertyValue = std::variant<uint64_t, bool, std::string, std::vector<uint8_t>, std::vector<uint32_t>>;

struct UnitProperty {
  std::string name;
  PropertyValue value;
  bool operator==(const UnitProperty&) const = default;
};

// The D-Bus signature of `value` ("t", "b", "s", "ay", "au").
const char* Signature(const PropertyValue& value);

// A cpuset list ("0-3,8,10-11") as systemd's AllowedCPUs/AllowedMemoryNodes bitmask: byte i bit j
// is CPU 8*i+j. InvalidArgument for anything else, or a CPU above 8191.
absl::StatusOr<std::vector<uint8_t>> CpuSetMask(const std::string& list);

// CPUQuotaPerSecUSec for a CFS quota per period, rounded up to systemd's 1% (10 ms/s) steps as
// systemd stores it; infinity for quota <= 0. period <= 0 means 100000.
uint64_t CpuQuotaPerSecUSec(int64_t quota_us, int64_t period_us);

// Which tree systemd manages: the unified cgroup v2 one, or its hybrid layout (the controllers on
// v1 hierarchies, systemd.unified_cgroup_hierarchy=0), where the v1 properties apply and the
// unified-only ones (AllowedCPUs, AllowedMemoryNodes) do not exist.
enum class Layout { kUnified, kHybrid };

// The properties for the set fields of `r`. Unified: CPUWeight (from cpu_shares, the Kubernetes
// mapping), CPUQuotaPerSecUSec and CPUQuotaPeriodUSec, MemoryMax, TasksMax, AllowedCPUs,
// AllowedMemoryNodes. Hybrid: CPUShares (cpu.shares as given), the CPU quota, MemoryLimit
// (memory.limit_in_bytes), TasksMax; no cpuset. Unset fields give nothing; "unlimited" values
// give infinity.
absl::StatusOr<std::vector<UnitProperty>> ResourceProperties(const CgroupResources& r,
                                                             Layout layout = Layout::kUnified);

// What of `r` goes to the cgroup files of a unit when systemd has the rest as properties
// (ResourceProperties): swap, hugepages, the unified map, memory.oom.group, devices, and on the
// hybrid layout the cpuset. The memory limit stays when a swap limit is set: the files' swap
// value is computed from both (v2), or must be written in order with it (v1).
CgroupResources FileOnlyResources(const CgroupResources& r, Layout layout = Layout::kUnified);

// The properties of a transient slice: Description, DefaultDependencies=no, the accounting
// switches (so systemd enables the controllers), then `resources`.
std::vector<UnitProperty> SliceProperties(const std::string& description, std::vector<UnitProperty> resources);

// The properties of a transient scope around `pids` in `slice`, Delegate=yes (podagent writes
// the controllers systemd does not manage), then `resources`.
std::vector<UnitProperty> ScopeProperties(const std::string& description, const std::string& slice,
                                          const std::vector<pid_t>& pids, std::vector<UnitProperty> resources);

// What a delegated scope needs besides ScopeProperties on the hybrid layout. On v1 systemd
// delegates only cpu, cpuacct, memory and pids, and removes the scope's directory in any other
// hierarchy it manages each time it realizes the unit: BlockIOAccounting keeps blkio and
// DevicePolicy=closed keeps devices (failing closed to systemd's standard devices should systemd
// rewrite them; the driver's own rules follow in the files).
std::vector<UnitProperty> HybridScopeProperties();
// The same for a slice podagent starts: BlockIOAccounting, so that systemd keeps the slice's blkio
// directory (the parent of its scopes') whatever order it realizes the slice and its scopes in.
std::vector<UnitProperty> HybridSliceProperties();

}  // namespace podagent::systemd
