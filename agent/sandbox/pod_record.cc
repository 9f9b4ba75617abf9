#include "agent/sandbox/pod_record.h"

#include "absl/strings/str_cat.h"

namespace podagent {
namespace {

nlohmann::json PortsJson(const std::vector<PortMapping>& ports) {
  nlohmann::json out = nlohmann::json::array();
  for (const PortMapping& p : ports) {
    out.push_back({{"hostPort", p.host_port}, {"containerPort", p.container_port}, {"protocol", p.protocol}, {"hostIP", p.host_ip}});
  }
  return out;
}

std::vector<PortMapping> PortsFromJson(const nlohmann::json& j) {
  std::vector<PortMapping> out;
  for (const auto& p : j) {
    out.push_back({p.value("hostPort", 0), p.value("containerPort", 0), p.value("protocol", std::string("tcp")),
                   p.value("hostIP", std::string())});
  }
  return out;
}

PodState StateFromName(const std::string& s) {
  if (s == "ready") return PodState::kReady;
  if (s == "notready") return PodState::kNotReady;
  return PodState::kCreating;
}

}  // namespace

std::string PodStateName(PodState s) {
  switch (s) {
    case PodState::kReady:
      return "ready";
    case PodState::kNotReady:
      return "notready";
    case PodState::kCreating:
      break;
  }
  return "creating";
}

std::string PodRecord::NameKey() const { return absl::StrCat(name, "_", namespace_, "_", uid, "_", attempt); }

nlohmann::json PodRecord::ToJson() const {
  nlohmann::json j = {
      {"id", id},
      {"metadata", {{"name", name}, {"namespace", namespace_}, {"uid", uid}, {"attempt", attempt}}},
      {"hostname", hostname},
      {"logDirectory", log_directory},
      {"runtimeHandler", runtime_handler},
      {"labels", labels},
      {"annotations", annotations},
      {"namespaces", {{"network", static_cast<int>(net_mode)}, {"ipc", static_cast<int>(ipc_mode)},
                      {"pid", static_cast<int>(pid_mode)}, {"targetId", target_id}}},
      {"sysctls", sysctls},
      {"dns", {{"given", dns.given}, {"servers", dns.servers}, {"searches", dns.searches}, {"options", dns.options}}},
      {"portMappings", PortsJson(port_mappings)},
      {"cgroupParent", cgroup_parent},
      {"cgroupPath", cgroup_path},
      {"netnsPath", netns_path},
      {"files", {{"resolvConf", resolv_conf_path}, {"hosts", hosts_path}, {"hostname", hostname_path}}},
      {"pause", {{"pid", pause.pid}, {"startTime", pause.start_time}}},
      {"networkSetup", network_setup},
      {"ips", ips},
      {"state", PodStateName(state)},
      {"createdAt", created_at_ns},
  };
  if (oom_score_adj) j["oomScoreAdj"] = *oom_score_adj;
  return j;
}

absl::StatusOr<PodRecord> PodRecord::FromJson(const nlohmann::json& j) {
  try {
    PodRecord r;
    r.id = j.at("id").get<std::string>();
    const auto& m = j.at("metadata");
    r.name = m.at("name");
    r.namespace_ = m.at("namespace");
    r.uid = m.at("uid");
    r.attempt = m.at("attempt");
    r.hostname = j.value("hostname", "");
    r.log_directory = j.value("logDirectory", "");
    r.runtime_handler = j.value("runtimeHandler", "");
    r.labels = j.value("labels", std::map<std::string, std::string>{});
    r.annotations = j.value("annotations", std::map<std::string, std::string>{});
    const auto& ns = j.at("namespaces");
    r.net_mode = static_cast<NsMode>(ns.value("network", 0));
    r.ipc_mode = static_cast<NsMode>(ns.value("ipc", 0));
    r.pid_mode = static_cast<NsMode>(ns.value("pid", 0));
    r.target_id = ns.value("targetId", "");
    r.sysctls = j.value("sysctls", std::map<std::string, std::string>{});
    const auto& dns = j.at("dns");
    r.dns.given = dns.value("given", false);
    r.dns.servers = dns.value("servers", std::vector<std::string>{});
    r.dns.searches = dns.value("searches", std::vector<std::string>{});
    r.dns.options = dns.value("options", std::vector<std::string>{});
    r.port_mappings = PortsFromJson(j.value("portMappings", nlohmann::json::array()));
    r.cgroup_parent = j.value("cgroupParent", "");
    r.cgroup_path = j.value("cgroupPath", "");
    r.netns_path = j.value("netnsPath", "");
    const auto& files = j.at("files");
    r.resolv_conf_path = files.value("resolvConf", "");
    r.hosts_path = files.value("hosts", "");
    r.hostname_path = files.value("hostname", "");
    if (j.contains("oomScoreAdj")) r.oom_score_adj = j["oomScoreAdj"].get<int>();
    r.pause.pid = j.at("pause").value("pid", 0);
    r.pause.start_time = j.at("pause").value("startTime", uint64_t{0});
    r.network_setup = j.value("networkSetup", false);
    r.ips = j.value("ips", std::vector<std::string>{});
    r.state = StateFromName(j.value("state", ""));
    r.created_at_ns = j.value("createdAt", int64_t{0});
    return r;
  } catch (const nlohmann::json::exception& e) {
    return absl::DataLossError(absl::StrCat("pod record: ", e.what()));
  }
}

PodInfo PodRecord::ToPodInfo(bool ready) const {
  PodInfo p;
  p.id = id;
  p.name = name;
  p.namespace_ = namespace_;
  p.uid = uid;
  p.attempt = attempt;
  p.ready = ready;
  p.pause_pid = ready ? pause.pid : 0;
  p.cgroup_path = cgroup_path;
  p.netns_path = netns_path;
  std::string proc = absl::StrCat("/proc/", pause.pid, "/ns/");
  p.ipc_ns_path = HostIpc() || !ready ? "" : proc + "ipc";
  p.pid_ns_path = pid_mode == NsMode::kPod && ready ? proc + "pid" : "";
  p.net_mode = net_mode;
  p.ipc_mode = ipc_mode;
  p.pid_mode = pid_mode;
  p.hostname = hostname;
  p.resolv_conf_path = resolv_conf_path;
  p.hosts_path = hosts_path;
  p.hostname_path = hostname_path;
  p.log_directory = log_directory;
  p.ips = ips;
  p.labels = labels;
  p.annotations = annotations;
  p.created_at_ns = created_at_ns;
  return p;
}

}  // namespace podagent
