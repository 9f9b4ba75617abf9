#include "runtime/cgroups/systemd_names.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"

namespace podagent::systemd {
namespace {

constexpr size_t kUnitNameMax = 255;  // systemd's UNIT_NAME_MAX less the NUL
constexpr size_t kMaxContainerId = 64;
constexpr char kSliceSuffix[] = ".slice";

absl::Status Invalid(const std::string& name, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("systemd unit name \"", name.substr(0, 300), "\": ", why));
}

bool UnitChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == ':' || c == '-' || c == '_' || c == '.' ||
         c == '\\';
}

// systemd's cgroup controller names: "<controller>.<x>" as a cgroup name could shadow a kernel file.
bool IsController(const std::string& s) {
  static const std::set<std::string> kControllers = {"cpu",
                                                     "cpuacct",
                                                     "cpuset",
                                                     "io",
                                                     "blkio",
                                                     "memory",
                                                     "devices",
                                                     "pids",
                                                     "bpf-firewall",
                                                     "bpf-devices",
                                                     "bpf-foreign",
                                                     "bpf-socket-bind",
                                                     "bpf-restrict-network-interfaces"};
  return kControllers.count(s) > 0;
}

// systemd's cg_escape: a '_' in front of names that start with '_' or '.', that are kernel file
// names, or whose part before the last '.' is a controller name.
std::string Escape(const std::string& name) {
  bool escape = name.empty() || name[0] == '_' || name[0] == '.' || name == "notify_on_release" ||
                name == "release_agent" || name == "tasks" || absl::StartsWith(name, "cgroup.");
  auto dot = name.rfind('.');
  if (!escape && dot != std::string::npos)
    escape = name.substr(0, dot) == "cgroup" || IsController(name.substr(0, dot));
  return escape ? "_" + name : name;
}

absl::Status ValidateUnitName(const std::string& name) {
  if (name.size() > kUnitNameMax) return Invalid(name, absl::StrCat("longer than ", kUnitNameMax, " bytes"));
  for (char c : name) {
    if (!UnitChar(c)) return Invalid(name, "holds a character other than letters, digits, ':', '-', '_', '.', '\\'");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateSliceName(const std::string& name) {
  RETURN_IF_ERROR(ValidateUnitName(name));
  if (!absl::EndsWith(name, kSliceSuffix)) return Invalid(name, "is not a slice (no \".slice\" suffix)");
  if (name == kRootSlice) return absl::OkStatus();
  std::string prefix = name.substr(0, name.size() - sizeof(kSliceSuffix) + 1);
  if (prefix.empty()) return Invalid(name, "has an empty name before \".slice\"");
  if (prefix.front() == '-' || prefix.back() == '-') return Invalid(name, "starts or ends with a dash");
  if (absl::StrContains(prefix, "--")) return Invalid(name, "holds a double dash");
  return absl::OkStatus();
}

absl::StatusOr<std::string> SliceCgroupPath(const std::string& slice) {
  RETURN_IF_ERROR(ValidateSliceName(slice));
  if (slice == kRootSlice) return std::string("/");
  std::string prefix = slice.substr(0, slice.size() - sizeof(kSliceSuffix) + 1);
  std::string path;
  for (size_t dash = prefix.find('-'); dash != std::string::npos; dash = prefix.find('-', dash + 1)) {
    absl::StrAppend(&path, "/", Escape(prefix.substr(0, dash) + kSliceSuffix));
  }
  absl::StrAppend(&path, "/", Escape(slice));
  return path;
}

absl::StatusOr<std::string> ScopeName(const std::string& container_id) {
  if (container_id.empty() || container_id.size() > kMaxContainerId) {
    return absl::InvalidArgumentError(
        absl::StrCat("container id \"", container_id.substr(0, 80), "\": not 1 to ", kMaxContainerId, " characters"));
  }
  for (char c : container_id) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) {
      return absl::InvalidArgumentError(absl::StrCat("container id \"", container_id, "\": not lowercase hex"));
    }
  }
  return absl::StrCat("podagent-", container_id, ".scope");
}

}  // namespace podagent::systemd
