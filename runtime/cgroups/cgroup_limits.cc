#include "runtime/cgroups/cgroup_limits.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/cgroups/device_rules.h"

namespace podagent::cgroup_limits {

std::string PidsMax(int64_t limit) { return limit > 0 ? std::to_string(limit) : "max"; }

int64_t CpuWeightFromShares(int64_t shares) {
  shares = std::clamp<int64_t>(shares, 2, 262144);
  return 1 + ((shares - 2) * 9999) / 262142;
}

std::string CpuMax(int64_t quota, int64_t period) {
  return absl::StrCat(quota > 0 ? std::to_string(quota) : "max", " ", period > 0 ? period : 100000);
}

absl::StatusOr<std::string> SwapMax(int64_t memory_limit, int64_t memory_swap_limit) {
  if (memory_swap_limit < 0) return std::string("max");
  if (memory_limit <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("memory+swap limit ", memory_swap_limit, " given without a memory limit"));
  }
  if (memory_swap_limit < memory_limit) {
    return absl::InvalidArgumentError(absl::StrCat("memory+swap limit ", memory_swap_limit,
                                                   " is below the memory limit ", memory_limit));
  }
  return std::to_string(memory_swap_limit - memory_limit);
}

absl::Status ValidateHugepageSize(const std::string& size) {
  size_t digits = 0;
  while (digits < size.size() && absl::ascii_isdigit(static_cast<unsigned char>(size[digits]))) ++digits;
  std::string unit = size.substr(digits);
  if (digits == 0 || (unit != "KB" && unit != "MB" && unit != "GB")) {
    return absl::InvalidArgumentError(absl::StrCat("hugepage size \"", size, "\" is not like 2MB or 1GB"));
  }
  return absl::OkStatus();
}

absl::Status ValidateUnifiedKey(const std::string& key) {
  bool plain = !key.empty() && key.find('.') != std::string::npos && key.front() != '.';
  for (char c : key) {
    if (!(absl::ascii_islower(static_cast<unsigned char>(c)) || absl::ascii_isdigit(static_cast<unsigned char>(c)) ||
          c == '.' || c == '_')) {
      plain = false;
    }
  }
  if (!plain || absl::StartsWith(key, "cgroup.procs") || key == "cgroup.threads" || key == "cgroup.subtree_control" ||
      key == "cgroup.kill") {
    return absl::InvalidArgumentError(absl::StrCat("unified cgroup setting \"", key, "\" is not a plain v2 resource file"));
  }
  return absl::OkStatus();
}

}  // namespace podagent::cgroup_limits

namespace podagent {

absl::Status CgroupDriver::Check(const CgroupResources& r) const {
  for (const auto& [size, bytes] : r.hugepage_limits) {
    if (absl::Status st = cgroup_limits::ValidateHugepageSize(size); !st.ok()) return st;
  }
  for (const auto& [key, value] : r.unified) {
    if (absl::Status st = cgroup_limits::ValidateUnifiedKey(key); !st.ok()) return st;
  }
  if (r.devices) {
    for (const DeviceRule& d : *r.devices) {
      if (absl::Status st = ValidateDeviceAccess(d.access); !st.ok()) return st;
    }
  }
  return absl::OkStatus();
}

}  // namespace podagent
