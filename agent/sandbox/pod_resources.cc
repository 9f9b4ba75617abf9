#include "agent/sandbox/pod_resources.h"

#include "absl/strings/str_cat.h"
#include "agent/container/container_resources.h"
#include "runtime/common/errors.h"

namespace podagent {
namespace {

constexpr int64_t kDefaultCpuPeriod = 100000;  // microseconds, the kernel's default

absl::Status Annotated(const absl::Status& st, const char* what) {
  return absl::Status(st.code(), absl::StrCat("pod ", what, " ", st.message()));
}

// `overhead`'s quota expressed in `period` (it may come with a period of its own).
int64_t OverheadQuota(const CgroupResources& overhead, int64_t period) {
  if (!overhead.cpu_quota || *overhead.cpu_quota <= 0) return 0;
  int64_t own = overhead.cpu_period.value_or(kDefaultCpuPeriod);
  return *overhead.cpu_quota * period / own;
}

}  // namespace

absl::StatusOr<CgroupResources> PodCgroupResources(const cri::LinuxPodSandboxConfig& linux) {
  auto sum = ToCgroupResources(linux.resources());
  if (!sum.ok()) return Annotated(sum.status(), "linux.resources:");
  auto overhead = ToCgroupResources(linux.overhead());
  if (!overhead.ok()) return Annotated(overhead.status(), "linux.overhead:");
  CgroupResources out = *sum;
  if (out.memory_limit) *out.memory_limit += overhead->memory_limit.value_or(0);
  if (out.memory_swap_limit) *out.memory_swap_limit += overhead->memory_limit.value_or(0);
  if (out.cpu_quota && *out.cpu_quota > 0) {
    int64_t period = out.cpu_period.value_or(kDefaultCpuPeriod);
    out.cpu_period = period;
    *out.cpu_quota += OverheadQuota(*overhead, period);
  }
  if (out.cpu_shares || overhead->cpu_shares) out.cpu_shares = out.cpu_shares.value_or(0) + overhead->cpu_shares.value_or(0);
  for (const auto& [size, bytes] : overhead->hugepage_limits) {
    auto it = out.hugepage_limits.find(size);
    if (it != out.hugepage_limits.end()) it->second += bytes;
  }
  return out;
}

}  // namespace podagent
