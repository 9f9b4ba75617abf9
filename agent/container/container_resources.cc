#include "agent/container/container_resources.h"

#include <regex>

#include "absl/strings/str_cat.h"

namespace podagent {
namespace {

bool ValidCpuList(const std::string& s) {
  static const std::regex kList(R"(^\d+(-\d+)?(,\d+(-\d+)?)*$)");
  return std::regex_match(s, kList);
}

absl::Status Negative(const char* field, int64_t v) {
  return absl::InvalidArgumentError(absl::StrCat("resources: ", field, " must not be negative, got ", v));
}

}  // namespace

absl::StatusOr<CgroupResources> ToCgroupResources(const cri::LinuxContainerResources& r) {
  CgroupResources out;
  if (r.cpu_shares() < 0) return Negative("cpu_shares", r.cpu_shares());
  if (r.cpu_period() < 0) return Negative("cpu_period", r.cpu_period());
  if (r.cpu_quota() < -1) return absl::InvalidArgumentError(absl::StrCat("resources: cpu_quota must be -1 or more, got ", r.cpu_quota()));
  if (r.memory_limit_in_bytes() < 0) return Negative("memory_limit_in_bytes", r.memory_limit_in_bytes());
  if (r.memory_swap_limit_in_bytes() < -1) return Negative("memory_swap_limit_in_bytes", r.memory_swap_limit_in_bytes());
  if (r.oom_score_adj() < -1000 || r.oom_score_adj() > 1000) {
    return absl::InvalidArgumentError(absl::StrCat("resources: oom_score_adj must be in -1000..1000, got ", r.oom_score_adj()));
  }
  if (r.cpu_shares() > 0) out.cpu_shares = r.cpu_shares();
  if (r.cpu_quota() != 0) out.cpu_quota = r.cpu_quota();
  if (r.cpu_period() > 0) out.cpu_period = r.cpu_period();
  if (r.memory_limit_in_bytes() > 0) out.memory_limit = r.memory_limit_in_bytes();
  if (r.memory_swap_limit_in_bytes() > 0) {
    if (r.memory_limit_in_bytes() > 0 && r.memory_swap_limit_in_bytes() < r.memory_limit_in_bytes()) {
      return absl::InvalidArgumentError("resources: memory_swap_limit_in_bytes must not be below memory_limit_in_bytes");
    }
    out.memory_swap_limit = r.memory_swap_limit_in_bytes();
  }
  if (!r.cpuset_cpus().empty()) {
    if (!ValidCpuList(r.cpuset_cpus())) return absl::InvalidArgumentError("resources: malformed cpuset_cpus " + r.cpuset_cpus());
    out.cpuset_cpus = r.cpuset_cpus();
  }
  if (!r.cpuset_mems().empty()) {
    if (!ValidCpuList(r.cpuset_mems())) return absl::InvalidArgumentError("resources: malformed cpuset_mems " + r.cpuset_mems());
    out.cpuset_mems = r.cpuset_mems();
  }
  for (const auto& h : r.hugepage_limits()) {
    static const std::regex kSize(R"(^\d+(KB|MB|GB)$)");
    if (!std::regex_match(h.page_size(), kSize)) {
      return absl::InvalidArgumentError("resources: malformed hugepage size " + h.page_size());
    }
    out.hugepage_limits[h.page_size()] = static_cast<int64_t>(h.limit());
  }
  for (const auto& [k, v] : r.unified()) {
    if (k.empty() || k.find('/') != std::string::npos || k.find("..") != std::string::npos) {
      return absl::InvalidArgumentError("resources: malformed unified key " + k);
    }
    out.unified[k] = v;
  }
  return out;
}

void ToCriResources(const CgroupResources& in, cri::LinuxContainerResources* out) {
  if (in.cpu_shares) out->set_cpu_shares(*in.cpu_shares);
  if (in.cpu_quota) out->set_cpu_quota(*in.cpu_quota);
  if (in.cpu_period) out->set_cpu_period(*in.cpu_period);
  if (in.memory_limit) out->set_memory_limit_in_bytes(*in.memory_limit);
  if (in.memory_swap_limit) out->set_memory_swap_limit_in_bytes(*in.memory_swap_limit);
  if (in.cpuset_cpus) out->set_cpuset_cpus(*in.cpuset_cpus);
  if (in.cpuset_mems) out->set_cpuset_mems(*in.cpuset_mems);
  for (const auto& [size, limit] : in.hugepage_limits) {
    auto* h = out->add_hugepage_limits();
    h->set_page_size(size);
    h->set_limit(static_cast<uint64_t>(limit));
  }
  for (const auto& [k, v] : in.unified) (*out->mutable_unified())[k] = v;
}

}  // namespace podagent
