#include "runtime/container/capabilities.h"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <memory>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"

namespace podagent {
namespace {

std::string NameOf(cap_value_t v) {
  std::unique_ptr<char, int (*)(void*)> n(cap_to_name(v), cap_free);
  std::string name = absl::AsciiStrToUpper(n ? n.get() : std::to_string(v));  // libcap: "cap_chown"
  return absl::StartsWith(name, "CAP_") ? name : absl::StrCat("CAP_", name);
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

std::vector<std::string> DefaultCapabilities() {
  return {"CAP_AUDIT_WRITE", "CAP_CHOWN",  "CAP_DAC_OVERRIDE",     "CAP_FOWNER",     "CAP_FSETID",
          "CAP_KILL",        "CAP_MKNOD",  "CAP_NET_BIND_SERVICE", "CAP_NET_RAW",    "CAP_SETFCAP",
          "CAP_SETGID",      "CAP_SETPCAP", "CAP_SETUID",          "CAP_SYS_CHROOT"};
}

std::vector<std::string> KernelCapabilities() {
  std::vector<std::string> out;
  for (cap_value_t v = 0; v < static_cast<cap_value_t>(cap_max_bits()); ++v) out.push_back(NameOf(v));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> AllCapabilities() {
  std::vector<std::string> out;
  for (cap_value_t v = 0; v < static_cast<cap_value_t>(cap_max_bits()); ++v) {
    if (cap_get_bound(v) == 1) out.push_back(NameOf(v));
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<std::string> NormalizeCapability(const std::string& name) {
  std::string upper = absl::AsciiStrToUpper(name);
  if (!absl::StartsWith(upper, "CAP_")) upper = "CAP_" + upper;
  cap_value_t v;
  if (cap_from_name(absl::AsciiStrToLower(upper).c_str(), &v) != 0 || v >= static_cast<cap_value_t>(cap_max_bits())) {
    return absl::InvalidArgumentError(absl::StrCat("unknown capability ", name));
  }
  return upper;
}

absl::StatusOr<std::vector<std::string>> ComputeCapabilities(const std::vector<std::string>& add,
                                                             const std::vector<std::string>& drop, bool privileged) {
  return ComputeCapabilities(add, drop, privileged, AllCapabilities());
}

absl::StatusOr<std::vector<std::string>> ComputeCapabilities(const std::vector<std::string>& add,
                                                             const std::vector<std::string>& drop, bool privileged,
                                                             const std::vector<std::string>& all) {
  std::vector<std::string> sorted_all = all;
  std::sort(sorted_all.begin(), sorted_all.end());
  if (privileged) return sorted_all;
  std::set<std::string> caps;
  for (const auto& c : DefaultCapabilities()) {
    if (Contains(all, c)) caps.insert(c);  // a default the node lacks is left out, as with ALL
  }
  if (Contains(add, "ALL")) caps.insert(all.begin(), all.end());
  if (Contains(drop, "ALL")) caps.clear();
  for (const auto& a : add) {
    if (a == "ALL") continue;
    ASSIGN_OR_RETURN(std::string n, NormalizeCapability(a));
    if (!Contains(all, n)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "capability ", n, " is not in podagent's bounding set on this node, so no container here can have it"));
    }
    caps.insert(n);
  }
  for (const auto& r : drop) {
    if (r == "ALL") continue;
    ASSIGN_OR_RETURN(std::string n, NormalizeCapability(r));
    caps.erase(n);
  }
  return std::vector<std::string>(caps.begin(), caps.end());
}

namespace {

absl::StatusOr<std::vector<cap_value_t>> CapValues(const std::vector<std::string>& caps) {
  std::vector<cap_value_t> out;
  for (const auto& c : caps) {
    cap_value_t v;
    if (cap_from_name(absl::AsciiStrToLower(c).c_str(), &v) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("unknown capability ", c));
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace

absl::Status DropBoundingCapabilities(const std::vector<std::string>& caps) {
  ASSIGN_OR_RETURN(std::vector<cap_value_t> keep, CapValues(caps));
  for (cap_value_t v = 0; v < static_cast<cap_value_t>(cap_max_bits()); ++v) {
    if (std::find(keep.begin(), keep.end(), v) != keep.end() || cap_get_bound(v) != 1) continue;
    if (cap_drop_bound(v) != 0) return ErrnoError(absl::StrCat("drop bounding ", NameOf(v)));
  }
  return absl::OkStatus();
}

absl::Status ApplyCapabilities(const std::vector<std::string>& caps, uid_t uid) {
  RETURN_IF_ERROR(DropBoundingCapabilities(caps));
  ASSIGN_OR_RETURN(std::vector<cap_value_t> keep, CapValues(caps));
  if (cap_reset_ambient() != 0 && errno != EINVAL) return ErrnoError("clear ambient capabilities");
  std::unique_ptr<struct _cap_struct, int (*)(void*)> set(cap_init(), cap_free);
  if (!set) return ErrnoError("cap_init");
  if (uid == 0 && !keep.empty()) {
    if (cap_set_flag(set.get(), CAP_PERMITTED, static_cast<int>(keep.size()), keep.data(), CAP_SET) != 0 ||
        cap_set_flag(set.get(), CAP_EFFECTIVE, static_cast<int>(keep.size()), keep.data(), CAP_SET) != 0) {
      return ErrnoError("cap_set_flag");
    }
  }
  if (cap_set_proc(set.get()) != 0) return ErrnoError("capset");
  return absl::OkStatus();
}

}  // namespace podagent
