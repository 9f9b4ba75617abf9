#include "runtime/sandbox/sysctls.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace podagent {
namespace {

constexpr size_t kMaxName = 256;
constexpr size_t kMaxValue = 4096;

// Path form: "/" separates, "." stays. Dotted form: "." separates. A name whose first separator
// is "/" is in path form.
std::string ToPath(const std::string& name) {
  size_t first = name.find_first_of("./");
  if (first != std::string::npos && name[first] == '/') return name;
  std::string path = name;
  std::replace(path.begin(), path.end(), '.', '/');
  return path;
}

bool ValidComponents(const std::string& path) {
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part.empty() || part == "." || part == "..") return false;
    for (char c : part) {
      if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
    }
  }
  return true;
}

enum class Kind { kNet, kIpc, kNone };

Kind KindOf(const std::string& dotted) {
  if (absl::StartsWith(dotted, "net.")) return Kind::kNet;
  if (absl::StartsWith(dotted, "kernel.shm") || absl::StartsWith(dotted, "kernel.msg") || dotted == "kernel.sem" ||
      absl::StartsWith(dotted, "fs.mqueue.")) {
    return Kind::kIpc;
  }
  return Kind::kNone;
}

}  // namespace

absl::StatusOr<std::vector<PodSysctl>> ValidatePodSysctls(const std::map<std::string, std::string>& sysctls,
                                                          bool host_network, bool host_ipc) {
  std::vector<PodSysctl> out;
  for (const auto& [name, value] : sysctls) {
    std::string path = ToPath(name);
    if (name.empty() || name.size() > kMaxName || !ValidComponents(path)) {
      return absl::InvalidArgumentError(absl::StrCat("sysctl \"", name, "\": not a valid sysctl name"));
    }
    if (value.size() > kMaxValue || value.find('\n') != std::string::npos || value.find('\0') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat("sysctl ", name, ": value too long or has a newline"));
    }
    std::string dotted = path;
    std::replace(dotted.begin(), dotted.end(), '/', '.');
    switch (KindOf(dotted)) {
      case Kind::kNone:
        return absl::InvalidArgumentError(
            absl::StrCat("sysctl ", name, ": not namespaced (only net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*)"));
      case Kind::kNet:
        if (host_network) {
          return absl::InvalidArgumentError(absl::StrCat("sysctl ", name, ": not allowed with the host's network namespace"));
        }
        break;
      case Kind::kIpc:
        if (host_ipc) {
          return absl::InvalidArgumentError(absl::StrCat("sysctl ", name, ": not allowed with the host's IPC namespace"));
        }
        break;
    }
    out.push_back({dotted, path, value});
  }
  return out;
}

}  // namespace podagent
