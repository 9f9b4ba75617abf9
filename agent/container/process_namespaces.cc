#include "agent/container/process_namespaces.h"

#include "absl/strings/str_cat.h"
#include "runtime/ns/pinned_namespace.h"
#include "runtime/process/proc_stat.h"

namespace podagent {
namespace {

NamespaceInodes ReadInodes(const std::string& proc_dir) {
  NamespaceInodes out;
  for (const auto& type : NamespaceTypes()) {
    auto ino = NamespaceInode(absl::StrCat(proc_dir, "/ns/", type));
    out.push_back(ino.ok() ? std::optional<uint64_t>(*ino) : std::nullopt);
  }
  return out;
}

absl::Status SameProcess(pid_t pid, uint64_t start_time) {
  auto st = ReadProcStat(pid);
  if (!st.ok() || st->state == 'Z') return absl::NotFoundError(absl::StrCat("pid ", pid, " has exited"));
  if (start_time != 0 && st->start_time != start_time) {
    return absl::NotFoundError(absl::StrCat("pid ", pid, " has exited (the pid now names another process)"));
  }
  return absl::OkStatus();
}

}  // namespace

const std::vector<std::string>& NamespaceTypes() {
  static const std::vector<std::string> kTypes = {"ipc", "net", "uts", "mnt", "pid", "cgroup", "user", "time"};
  return kTypes;
}

nlohmann::json NamespacesJson(const NamespaceInodes& inodes) {
  nlohmann::json j = nlohmann::json::object();
  for (size_t i = 0; i < inodes.size() && i < NamespaceTypes().size(); ++i) {
    if (inodes[i]) j[NamespaceTypes()[i]] = *inodes[i];
  }
  return j;
}

NamespaceInodes NamespacesFromJson(const nlohmann::json& j) {
  NamespaceInodes out;
  for (const auto& type : NamespaceTypes()) {
    bool have = j.is_object() && j.contains(type) && j[type].is_number_unsigned();
    out.push_back(have ? std::optional<uint64_t>(j[type].get<uint64_t>()) : std::nullopt);
  }
  return out;
}

absl::StatusOr<NamespaceInodes> ProcessNamespaces(pid_t pid, uint64_t start_time) {
  if (pid <= 0) return absl::NotFoundError("no process");
  if (auto st = SameProcess(pid, start_time); !st.ok()) return st;
  NamespaceInodes inodes = ReadInodes(absl::StrCat("/proc/", pid));
  if (auto st = SameProcess(pid, start_time); !st.ok()) return st;
  return inodes;
}

NamespaceInodes HostNamespaces() {
  NamespaceInodes host = ReadInodes("/proc/1");
  NamespaceInodes self = ReadInodes("/proc/self");
  for (size_t i = 0; i < host.size(); ++i) {
    if (!host[i]) host[i] = self[i];
  }
  return host;
}

}  // namespace podagent
