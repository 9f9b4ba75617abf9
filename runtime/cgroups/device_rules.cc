#include "runtime/cgroups/device_rules.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "absl/strings/str_cat.h"

namespace podagent {
namespace {

std::string Number(int64_t n) { return n < 0 ? "*" : std::to_string(n); }

}  // namespace

std::vector<DeviceRule> DefaultDeviceRules(bool fuse) {
  std::vector<DeviceRule> rules = {
      {'c', 1, 3, "rwm"},    // /dev/null
      {'c', 1, 5, "rwm"},    // /dev/zero
      {'c', 1, 7, "rwm"},    // /dev/full
      {'c', 1, 8, "rwm"},    // /dev/random
      {'c', 1, 9, "rwm"},    // /dev/urandom
      {'c', 5, 0, "rwm"},    // /dev/tty
      {'c', 5, 1, "rwm"},    // /dev/console
      {'c', 5, 2, "rwm"},    // /dev/ptmx
      {'c', 136, -1, "rwm"}, // /dev/pts/*
  };
  if (fuse) rules.push_back({'c', 10, 229, "rwm"});
  return rules;
}

DeviceRule AllowAllDevices() { return DeviceRule{'a', -1, -1, "rwm"}; }

std::string DeviceRuleLine(const DeviceRule& r) {
  return absl::StrCat(std::string(1, r.type), " ", Number(r.major), ":", Number(r.minor), " ", r.access);
}

absl::Status ValidateDeviceAccess(const std::string& access) {
  if (access.empty() || access.size() > 3) {
    return absl::InvalidArgumentError(absl::StrCat("device permissions \"", access, "\" must be a subset of rwm"));
  }
  for (size_t i = 0; i < access.size(); ++i) {
    char c = access[i];
    if ((c != 'r' && c != 'w' && c != 'm') || access.find(c, i + 1) != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("device permissions \"", access, "\" must be a subset of rwm"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<DeviceRule> DeviceRuleForNode(unsigned st_mode, uint64_t st_rdev, const std::string& permissions) {
  if (auto st = ValidateDeviceAccess(permissions); !st.ok()) return st;
  char type = S_ISCHR(st_mode) ? 'c' : S_ISBLK(st_mode) ? 'b' : 0;
  if (type == 0) return absl::InvalidArgumentError("not a character or block device");
  return DeviceRule{type, static_cast<int64_t>(major(st_rdev)), static_cast<int64_t>(minor(st_rdev)), permissions};
}

}  // namespace podagent
