#include "runtime/container/container_spec.h"

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"

namespace podagent {
namespace {

std::string PropagationName(Propagation p) {
  switch (p) {
    case Propagation::kRSlave: return "rslave";
    case Propagation::kRShared: return "rshared";
    default: return "private";
  }
}

Propagation PropagationFromName(const std::string& s) {
  if (s == "rslave") return Propagation::kRSlave;
  if (s == "rshared") return Propagation::kRShared;
  return Propagation::kPrivate;
}

nlohmann::json ProcessToJson(const ProcessSpec& p) {
  nlohmann::json j = {{"args", p.args}, {"env", p.env}, {"cwd", p.cwd}, {"uid", p.uid}, {"gid", p.gid},
                      {"additional_gids", p.additional_gids}, {"capabilities", p.capabilities},
                      {"no_new_privs", p.no_new_privs}, {"stdin", p.stdin}, {"stdin_once", p.stdin_once},
                      {"tty", p.tty}, {"rlimits", nlohmann::json::array()}};
  if (p.seccomp) j["seccomp"] = ToJson(*p.seccomp);
  if (p.oom_score_adj) j["oom_score_adj"] = *p.oom_score_adj;
  for (const auto& r : p.rlimits) j["rlimits"].push_back({{"name", r.name}, {"soft", r.soft}, {"hard", r.hard}});
  return j;
}

absl::StatusOr<ProcessSpec> ProcessFromJson(const nlohmann::json& j) {
  ProcessSpec p;
  p.args = j.at("args").get<std::vector<std::string>>();
  p.env = j.at("env").get<std::vector<std::string>>();
  p.cwd = j.at("cwd").get<std::string>();
  p.uid = j.at("uid").get<uid_t>();
  p.gid = j.at("gid").get<gid_t>();
  p.additional_gids = j.at("additional_gids").get<std::vector<gid_t>>();
  p.capabilities = j.at("capabilities").get<std::vector<std::string>>();
  p.no_new_privs = j.at("no_new_privs").get<bool>();
  p.stdin = j.value("stdin", false);
  p.stdin_once = j.value("stdin_once", false);
  p.tty = j.value("tty", false);
  if (j.contains("seccomp")) {
    ASSIGN_OR_RETURN(p.seccomp, ParseSeccompProfile(j.at("seccomp")));
  }
  if (j.contains("oom_score_adj")) p.oom_score_adj = j.at("oom_score_adj").get<int>();
  for (const auto& r : j.value("rlimits", nlohmann::json::array())) {
    p.rlimits.push_back({r.at("name").get<std::string>(), r.at("soft").get<uint64_t>(), r.at("hard").get<uint64_t>()});
  }
  return p;
}

absl::StatusOr<ContainerSpec> SpecFromJsonUnchecked(const nlohmann::json& j) {
  ContainerSpec s;
  s.id = j.at("id").get<std::string>();
  s.pod_id = j.value("pod_id", "");
  s.state_dir = j.at("state_dir").get<std::string>();
  s.lower_dirs = j.value("lower_dirs", std::vector<std::string>{});
  s.upper_dir = j.value("upper_dir", "");
  s.work_dir = j.value("work_dir", "");
  s.rootfs_dir = j.value("rootfs_dir", "");
  s.readonly_rootfs = j.value("readonly_rootfs", false);
  for (const auto& m : j.value("mounts", nlohmann::json::array())) {
    s.mounts.push_back({m.at("source").get<std::string>(), m.at("destination").get<std::string>(),
                        m.value("readonly", false), PropagationFromName(m.value("propagation", "private")),
                        m.value("recursive_readonly", false)});
  }
  for (const auto& d : j.value("devices", nlohmann::json::array())) {
    s.devices.push_back({d.at("host_path").get<std::string>(), d.at("container_path").get<std::string>(),
                         d.value("permissions", "rwm")});
  }
  s.masked_paths = j.value("masked_paths", std::vector<std::string>{});
  s.readonly_paths = j.value("readonly_paths", std::vector<std::string>{});
  s.privileged = j.value("privileged", false);
  s.hostname = j.value("hostname", "");
  s.hosts_path = j.value("hosts_path", "");
  s.resolv_conf_path = j.value("resolv_conf_path", "");
  s.hostname_path = j.value("hostname_path", "");
  s.shm_path = j.value("shm_path", "");
  const auto& ns = j.at("namespaces");
  s.namespaces.ipc_path = ns.value("ipc", "");
  s.namespaces.net_path = ns.value("net", "");
  s.namespaces.pid_path = ns.value("pid", "");
  s.namespaces.host_pid = ns.value("host_pid", false);
  s.namespaces.host_uts = ns.value("host_uts", false);
  if (ns.contains("owners")) {
    for (const auto& o : ns.at("owners")) {
      s.namespaces.owners.push_back(NsOwner{o.at("pid").get<pid_t>(), o.at("start_time").get<uint64_t>()});
    }
  }
  ASSIGN_OR_RETURN(s.process, ProcessFromJson(j.at("process")));
  s.cgroup_procs_files = j.value("cgroup_procs_files", std::vector<std::string>{});
  s.oom_events_file = j.value("oom_events_file", "");
  s.cgroup_namespace = j.value("cgroup_namespace", false);
  s.log_path = j.value("log_path", "");
  return s;
}

}  // namespace

nlohmann::json ToJson(const ContainerSpec& s) {
  nlohmann::json j = {{"id", s.id}, {"pod_id", s.pod_id}, {"state_dir", s.state_dir},
                      {"lower_dirs", s.lower_dirs}, {"upper_dir", s.upper_dir}, {"work_dir", s.work_dir},
                      {"rootfs_dir", s.rootfs_dir}, {"readonly_rootfs", s.readonly_rootfs},
                      {"masked_paths", s.masked_paths}, {"readonly_paths", s.readonly_paths},
                      {"privileged", s.privileged}, {"hostname", s.hostname}, {"hosts_path", s.hosts_path},
                      {"resolv_conf_path", s.resolv_conf_path}, {"hostname_path", s.hostname_path},
                      {"shm_path", s.shm_path}, {"cgroup_procs_files", s.cgroup_procs_files}, {"cgroup_namespace", s.cgroup_namespace},
                      {"oom_events_file", s.oom_events_file}, {"log_path", s.log_path}};
  j["mounts"] = nlohmann::json::array();
  for (const auto& m : s.mounts) {
    j["mounts"].push_back({{"source", m.source}, {"destination", m.destination}, {"readonly", m.readonly},
                           {"propagation", PropagationName(m.propagation)}, {"recursive_readonly", m.recursive_readonly}});
  }
  j["devices"] = nlohmann::json::array();
  for (const auto& d : s.devices) {
    j["devices"].push_back({{"host_path", d.host_path}, {"container_path", d.container_path}, {"permissions", d.permissions}});
  }
  j["namespaces"] = {{"ipc", s.namespaces.ipc_path}, {"net", s.namespaces.net_path}, {"pid", s.namespaces.pid_path},
                     {"host_pid", s.namespaces.host_pid}, {"host_uts", s.namespaces.host_uts}};
  nlohmann::json owners = nlohmann::json::array();
  for (const NsOwner& o : s.namespaces.owners) owners.push_back({{"pid", o.pid}, {"start_time", o.start_time}});
  j["namespaces"]["owners"] = std::move(owners);
  j["process"] = ProcessToJson(s.process);
  return j;
}

absl::StatusOr<ContainerSpec> ContainerSpecFromJson(const nlohmann::json& j) {
  try {
    return SpecFromJsonUnchecked(j);
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("malformed container spec: ", e.what()));
  }
}

std::vector<std::string> DefaultMaskedPaths() {
  return {"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
          "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"};
}

std::vector<std::string> DefaultReadonlyPaths() {
  return {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
}

void ApplyDefaultPaths(ContainerSpec& spec) {
  if (spec.privileged) return;
  if (spec.masked_paths.empty()) spec.masked_paths = DefaultMaskedPaths();
  if (spec.readonly_paths.empty()) spec.readonly_paths = DefaultReadonlyPaths();
}

}  // namespace podagent
