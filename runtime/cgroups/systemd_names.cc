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
constexpr char kScopeSuffix[] = ".scope";

bool IsHexId(const std::string& id) {
  if (id.empty() || id.size() > kMaxContainerId) return false;
  for (char c : id) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

absl::Status ValidateId(const char* what, const std::string& id) {
  if (IsHexId(id)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(what, " id \"", id.substr(0, 80), "\": not 1 to ", kMaxContainerId, " lowercase hex characters"));
}

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

std::string UnitOfPath(const std::string& path) {
  auto slash = path.rfind('/');
  std::string leaf = slash == std::string::npos ? path : path.substr(slash + 1);
  if (!absl::EndsWith(leaf, kSliceSuffix) && !absl::EndsWith(leaf, kScopeSuffix)) return "";
  if (absl::StartsWith(leaf, "_")) leaf.erase(0, 1);
  return leaf;
}

absl::StatusOr<std::string> PodSlicePath(const std::string& parent, const std::string& pod_id) {
  RETURN_IF_ERROR(ValidateId("pod", pod_id));
  std::string parent_slice = absl::StrContains(parent, "/") ? UnitOfPath(parent) : parent;
  if (parent_slice.empty() && parent == "/") parent_slice = kRootSlice;
  RETURN_IF_ERROR(Annotate(ValidateSliceName(parent_slice), "cgroup parent under the systemd driver"));
  if (absl::StrContains(parent, "/")) {
    ASSIGN_OR_RETURN(std::string expected, SliceCgroupPath(parent_slice));
    if (expected != parent) {
      return absl::InvalidArgumentError(absl::StrCat("cgroup parent \"", parent, "\" is not where systemd puts ",
                                                     parent_slice, " (", expected, ")"));
    }
  }
  std::string stem = parent_slice == kRootSlice ? "" : parent_slice.substr(0, parent_slice.size() - 6) + "-";
  return SliceCgroupPath(absl::StrCat(stem, "pod", pod_id, kSliceSuffix));
}

absl::StatusOr<std::string> PauseScopePath(const std::string& pod_path, const std::string& pod_id) {
  RETURN_IF_ERROR(ValidateId("pod", pod_id));
  return absl::StrCat(pod_path == "/" ? "" : pod_path, "/podagent-", pod_id, "-pause", kScopeSuffix);
}

absl::StatusOr<std::string> ContainerScopePath(const std::string& pod_path, const std::string& container_id) {
  ASSIGN_OR_RETURN(std::string scope, ScopeName(container_id));
  return absl::StrCat(pod_path == "/" ? "" : pod_path, "/", scope);
}

bool IsPodagentPodSlice(const std::string& slice) {
  if (!ValidateSliceName(slice).ok() || slice == kRootSlice) return false;
  std::string prefix = slice.substr(0, slice.size() - 6);
  auto dash = prefix.rfind('-');
  std::string last = dash == std::string::npos ? prefix : prefix.substr(dash + 1);
  return absl::StartsWith(last, "pod") && last.size() == 3 + kMaxContainerId && IsHexId(last.substr(3));
}

}  // namespace podagent::systemd
