#include "runtime/cgroups/systemd_properties.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/cgroups/cgroup_limits.h"
#include "runtime/common/errors.h"

namespace podagent::systemd {
namespace {

constexpr int kMaxCpu = 8191;
constexpr int64_t kDefaultPeriod = 100000;
constexpr uint64_t kQuotaStep = 10000;  // systemd keeps CPUQuota in 1% steps: 10 ms per second

absl::Status BadCpuSet(const std::string& list, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("cpuset \"", list.substr(0, 200), "\": ", why));
}

absl::StatusOr<int> CpuNumber(const std::string& list, absl::string_view s) {
  int n;
  if (s.empty() || s.find_first_not_of("0123456789") != absl::string_view::npos || !absl::SimpleAtoi(s, &n)) {
    return BadCpuSet(list, absl::StrCat("\"", s, "\" is not a CPU number"));
  }
  if (n > kMaxCpu) return BadCpuSet(list, absl::StrCat("CPU ", n, " is above ", kMaxCpu));
  return n;
}

std::vector<UnitProperty> Accounting() {
  return {{"CPUAccounting", true}, {"MemoryAccounting", true}, {"TasksAccounting", true}};
}

}  // namespace

const char* Signature(const PropertyValue& value) {
  static const char* const kSignatures[] = {"t", "b", "s", "ay", "au"};
  return kSignatures[value.index()];
}

absl::StatusOr<std::vector<uint8_t>> CpuSetMask(const std::string& list) {
  std::vector<uint8_t> mask;
  if (list.empty()) return BadCpuSet(list, "is empty");
  for (absl::string_view range : absl::StrSplit(list, ',')) {
    std::pair<absl::string_view, absl::string_view> ends = absl::StrSplit(range, absl::MaxSplits('-', 1));
    ASSIGN_OR_RETURN(int first, CpuNumber(list, ends.first));
    int last = first;
    if (range.find('-') != absl::string_view::npos) {
      ASSIGN_OR_RETURN(last, CpuNumber(list, ends.second));
    }
    if (last < first) return BadCpuSet(list, absl::StrCat("range ", range, " runs backwards"));
    if (mask.size() < static_cast<size_t>(last / 8 + 1)) mask.resize(last / 8 + 1, 0);
    for (int cpu = first; cpu <= last; ++cpu) mask[cpu / 8] |= static_cast<uint8_t>(1u << (cpu % 8));
  }
  return mask;
}

uint64_t CpuQuotaPerSecUSec(int64_t quota_us, int64_t period_us) {
  if (quota_us <= 0) return kInfinity;
  if (period_us <= 0) period_us = kDefaultPeriod;
  uint64_t per_sec = static_cast<uint64_t>(quota_us) * 1000000 / static_cast<uint64_t>(period_us);
  return (per_sec + kQuotaStep - 1) / kQuotaStep * kQuotaStep;
}

absl::StatusOr<std::vector<UnitProperty>> ResourceProperties(const CgroupResources& r, Layout layout) {
  std::vector<UnitProperty> out;
  bool hybrid = layout == Layout::kHybrid;
  if (r.cpu_shares && hybrid) {
    if (*r.cpu_shares != 0) out.push_back({"CPUShares", static_cast<uint64_t>(*r.cpu_shares)});
  } else if (r.cpu_shares) {
    out.push_back({"CPUWeight", static_cast<uint64_t>(cgroup_limits::CpuWeightFromShares(*r.cpu_shares))});
  }
  if (r.cpu_quota) {
    int64_t period = r.cpu_period.value_or(kDefaultPeriod) > 0 ? r.cpu_period.value_or(kDefaultPeriod) : kDefaultPeriod;
    out.push_back({"CPUQuotaPerSecUSec", CpuQuotaPerSecUSec(*r.cpu_quota, period)});
    out.push_back({"CPUQuotaPeriodUSec", static_cast<uint64_t>(period)});
  }
  if (r.memory_limit) {
    out.push_back({hybrid ? "MemoryLimit" : "MemoryMax",
                   *r.memory_limit > 0 ? static_cast<uint64_t>(*r.memory_limit) : kInfinity});
  }
  if (r.pids_limit) out.push_back({"TasksMax", *r.pids_limit > 0 ? static_cast<uint64_t>(*r.pids_limit) : kInfinity});
  if (hybrid) return out;  // systemd has cpusets on the unified hierarchy only
  if (r.cpuset_cpus && !r.cpuset_cpus->empty()) {
    ASSIGN_OR_RETURN(std::vector<uint8_t> mask, CpuSetMask(*r.cpuset_cpus));
    out.push_back({"AllowedCPUs", std::move(mask)});
  }
  if (r.cpuset_mems && !r.cpuset_mems->empty()) {
    ASSIGN_OR_RETURN(std::vector<uint8_t> mask, CpuSetMask(*r.cpuset_mems));
    out.push_back({"AllowedMemoryNodes", std::move(mask)});
  }
  return out;
}

CgroupResources FileOnlyResources(const CgroupResources& r, Layout layout) {
  CgroupResources out = r;
  out.cpu_shares.reset();
  out.cpu_quota.reset();
  out.cpu_period.reset();
  if (layout == Layout::kUnified) {
    out.cpuset_cpus.reset();
    out.cpuset_mems.reset();
  }
  out.pids_limit.reset();
  if (!r.memory_swap_limit || *r.memory_swap_limit == 0) out.memory_limit.reset();
  return out;
}

std::vector<UnitProperty> SliceProperties(const std::string& description, std::vector<UnitProperty> resources) {
  std::vector<UnitProperty> out = {{"Description", description}, {"DefaultDependencies", false}};
  for (auto& p : Accounting()) out.push_back(std::move(p));
  for (auto& p : resources) out.push_back(std::move(p));
  return out;
}

std::vector<UnitProperty> ScopeProperties(const std::string& description, const std::string& slice,
                                          const std::vector<pid_t>& pids, std::vector<UnitProperty> resources) {
  std::vector<uint32_t> pid_list(pids.begin(), pids.end());
  std::vector<UnitProperty> out = {{"Description", description},
                                   {"Slice", slice},
                                   {"PIDs", std::move(pid_list)},
                                   {"Delegate", true},
                                   {"DefaultDependencies", false}};
  for (auto& p : Accounting()) out.push_back(std::move(p));
  for (auto& p : resources) out.push_back(std::move(p));
  return out;
}

std::vector<UnitProperty> HybridSliceProperties() { return {{"BlockIOAccounting", true}}; }

std::vector<UnitProperty> HybridScopeProperties() {
  return {{"BlockIOAccounting", true}, {"DevicePolicy", std::string("closed")}};
}

}  // namespace podagent::systemd
