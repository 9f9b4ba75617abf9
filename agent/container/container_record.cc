#include "agent/container/container_record.h"

#include "absl/strings/str_cat.h"

namespace podagent {
namespace {

CtrState StateFromName(const std::string& s) {
  if (s == "created") return CtrState::kCreated;
  if (s == "running") return CtrState::kRunning;
  if (s == "exited") return CtrState::kExited;
  return CtrState::kCreating;
}

template <typename T>
void PutOpt(nlohmann::json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}

template <typename T>
void GetOpt(const nlohmann::json& j, const char* key, std::optional<T>& v) {
  if (j.contains(key)) v = j.at(key).get<T>();
}

// Device rules as {"type": "c", "major": 1, "minor": 3, "access": "rwm"} (-1: any number).
nlohmann::json DevicesToJson(const std::vector<DeviceRule>& rules) {
  nlohmann::json out = nlohmann::json::array();
  for (const DeviceRule& d : rules) {
    out.push_back({{"type", std::string(1, d.type)}, {"major", d.major}, {"minor", d.minor}, {"access", d.access}});
  }
  return out;
}

std::vector<DeviceRule> DevicesFromJson(const nlohmann::json& j) {
  std::vector<DeviceRule> out;
  for (const auto& d : j) {
    std::string type = d.at("type").get<std::string>();
    out.push_back({type.empty() ? 'a' : type[0], d.at("major").get<int64_t>(), d.at("minor").get<int64_t>(),
                   d.at("access").get<std::string>()});
  }
  return out;
}

ContainerRecord FromJsonUnchecked(const nlohmann::json& j) {
  ContainerRecord r;
  r.id = j.at("id").get<std::string>();
  r.pod_id = j.at("pod_id").get<std::string>();
  r.name = j.value("name", "");
  r.attempt = j.value("attempt", 0u);
  r.image_spec = j.value("image_spec", "");
  r.image_id = j.value("image_id", "");
  r.image_ref = j.value("image_ref", "");
  r.labels = j.value("labels", std::map<std::string, std::string>{});
  r.annotations = j.value("annotations", std::map<std::string, std::string>{});
  r.state = StateFromName(j.value("state", "creating"));
  r.created_at_ns = j.value("created_at_ns", int64_t{0});
  r.started_at_ns = j.value("started_at_ns", int64_t{0});
  r.finished_at_ns = j.value("finished_at_ns", int64_t{0});
  r.exit_code = j.value("exit_code", 0);
  r.reason = j.value("reason", "");
  r.message = j.value("message", "");
  r.pid = j.value("pid", 0);
  r.pid_start_time = j.value("pid_start_time", uint64_t{0});
  r.shim_pid = j.value("shim_pid", 0);
  r.log_path = j.value("log_path", "");
  r.cri_log_path = j.value("cri_log_path", "");
  for (const auto& m : j.value("mounts", nlohmann::json::array())) {
    r.mounts.push_back({m.at("source").get<std::string>(), m.at("destination").get<std::string>(),
                        m.value("readonly", false), static_cast<Propagation>(m.value("propagation", 0)),
                        m.value("recursive_readonly", false)});
  }
  r.resources = ResourcesFromJson(j.value("resources", nlohmann::json::object()));
  r.cgroup_path = j.value("cgroup_path", "");
  r.state_dir = j.value("state_dir", "");
  r.layer_dir = j.value("layer_dir", "");
  r.stop_signal = j.value("stop_signal", "");
  r.uid = j.value("uid", uid_t{0});
  r.gid = j.value("gid", gid_t{0});
  r.groups = j.value("groups", std::vector<gid_t>{});
  r.tty = j.value("tty", false);
  return r;
}

}  // namespace

std::string CtrStateName(CtrState s) {
  switch (s) {
    case CtrState::kCreated: return "created";
    case CtrState::kRunning: return "running";
    case CtrState::kExited: return "exited";
    default: return "creating";
  }
}

// Every field, device rules included: StartContainer makes a lost cgroup again from the record
// (container_cgroup.h).
nlohmann::json ResourcesToJson(const CgroupResources& r) {
  nlohmann::json j = nlohmann::json::object();
  PutOpt(j, "cpu_shares", r.cpu_shares);
  PutOpt(j, "cpu_quota", r.cpu_quota);
  PutOpt(j, "cpu_period", r.cpu_period);
  PutOpt(j, "cpuset_cpus", r.cpuset_cpus);
  PutOpt(j, "cpuset_mems", r.cpuset_mems);
  PutOpt(j, "memory_limit", r.memory_limit);
  PutOpt(j, "memory_swap_limit", r.memory_swap_limit);
  PutOpt(j, "pids_limit", r.pids_limit);
  j["hugepage_limits"] = r.hugepage_limits;
  j["unified"] = r.unified;
  PutOpt(j, "memory_oom_group", r.memory_oom_group);
  if (r.devices) j["devices"] = DevicesToJson(*r.devices);
  return j;
}

CgroupResources ResourcesFromJson(const nlohmann::json& j) {
  CgroupResources r;
  GetOpt(j, "cpu_shares", r.cpu_shares);
  GetOpt(j, "cpu_quota", r.cpu_quota);
  GetOpt(j, "cpu_period", r.cpu_period);
  GetOpt(j, "cpuset_cpus", r.cpuset_cpus);
  GetOpt(j, "cpuset_mems", r.cpuset_mems);
  GetOpt(j, "memory_limit", r.memory_limit);
  GetOpt(j, "memory_swap_limit", r.memory_swap_limit);
  GetOpt(j, "pids_limit", r.pids_limit);
  r.hugepage_limits = j.value("hugepage_limits", std::map<std::string, int64_t>{});
  r.unified = j.value("unified", std::map<std::string, std::string>{});
  GetOpt(j, "memory_oom_group", r.memory_oom_group);
  if (j.contains("devices")) r.devices = DevicesFromJson(j.at("devices"));
  return r;
}

nlohmann::json ToJson(const ContainerRecord& r) {
  nlohmann::json j = {{"id", r.id}, {"pod_id", r.pod_id}, {"name", r.name}, {"attempt", r.attempt},
                      {"image_spec", r.image_spec}, {"image_id", r.image_id}, {"image_ref", r.image_ref},
                      {"labels", r.labels}, {"annotations", r.annotations}, {"state", CtrStateName(r.state)},
                      {"created_at_ns", r.created_at_ns}, {"started_at_ns", r.started_at_ns},
                      {"finished_at_ns", r.finished_at_ns}, {"exit_code", r.exit_code}, {"reason", r.reason},
                      {"message", r.message}, {"pid", r.pid}, {"pid_start_time", r.pid_start_time},
                      {"shim_pid", r.shim_pid}, {"log_path", r.log_path}, {"cri_log_path", r.cri_log_path},
                      {"resources", ResourcesToJson(r.resources)}, {"cgroup_path", r.cgroup_path},
                      {"state_dir", r.state_dir}, {"layer_dir", r.layer_dir}, {"stop_signal", r.stop_signal},
                      {"uid", r.uid}, {"gid", r.gid}, {"groups", r.groups}, {"tty", r.tty}};
  j["mounts"] = nlohmann::json::array();
  for (const auto& m : r.mounts) {
    j["mounts"].push_back({{"source", m.source}, {"destination", m.destination}, {"readonly", m.readonly},
                           {"propagation", static_cast<int>(m.propagation)}, {"recursive_readonly", m.recursive_readonly}});
  }
  return j;
}

absl::StatusOr<ContainerRecord> ContainerRecordFromJson(const nlohmann::json& j) {
  try {
    return FromJsonUnchecked(j);
  } catch (const nlohmann::json::exception& e) {
    return absl::DataLossError(absl::StrCat("malformed container record: ", e.what()));
  }
}

}  // namespace podagent
