#include "agent/container/container_convert.h"

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "agent/container/container_resources.h"
#include "runtime/common/json_text.h"

namespace podagent {

cri::ContainerState ToCriState(CtrState s) {
  switch (s) {
    case CtrState::kCreated: return cri::CONTAINER_CREATED;
    case CtrState::kRunning: return cri::CONTAINER_RUNNING;
    case CtrState::kExited: return cri::CONTAINER_EXITED;
    default: return cri::CONTAINER_UNKNOWN;
  }
}

void FillContainer(const ContainerRecord& r, cri::Container* out) {
  out->set_id(r.id);
  out->set_pod_sandbox_id(r.pod_id);
  out->mutable_metadata()->set_name(r.name);
  out->mutable_metadata()->set_attempt(r.attempt);
  out->mutable_image()->set_image(r.image_spec);
  out->set_image_ref(r.image_ref);
  out->set_image_id(r.image_id);
  out->set_state(ToCriState(r.state));
  out->set_created_at(r.created_at_ns);
  out->mutable_labels()->insert(r.labels.begin(), r.labels.end());
  out->mutable_annotations()->insert(r.annotations.begin(), r.annotations.end());
}

void FillContainerStatus(const ContainerRecord& r, cri::ContainerStatus* out) {
  out->set_id(r.id);
  out->mutable_metadata()->set_name(r.name);
  out->mutable_metadata()->set_attempt(r.attempt);
  out->set_state(ToCriState(r.state));
  out->set_created_at(r.created_at_ns);
  out->set_started_at(r.started_at_ns);
  out->set_finished_at(r.finished_at_ns);
  out->set_exit_code(r.exit_code);
  out->mutable_image()->set_image(r.image_spec);
  out->set_image_ref(r.image_ref);
  out->set_image_id(r.image_id);
  out->set_reason(r.reason);
  out->set_message(r.message);
  out->mutable_labels()->insert(r.labels.begin(), r.labels.end());
  out->mutable_annotations()->insert(r.annotations.begin(), r.annotations.end());
  for (const MountSpec& m : r.mounts) {
    auto* cm = out->add_mounts();
    cm->set_container_path(m.destination);
    cm->set_host_path(m.source);
    cm->set_readonly(m.readonly);
    cm->set_recursive_read_only(m.recursive_readonly);
    cm->set_propagation(m.propagation == Propagation::kRSlave    ? cri::PROPAGATION_HOST_TO_CONTAINER
                        : m.propagation == Propagation::kRShared ? cri::PROPAGATION_BIDIRECTIONAL
                                                                 : cri::PROPAGATION_PRIVATE);
  }
  out->set_log_path(r.log_path);
  cri::LinuxContainerUser* user = out->mutable_user()->mutable_linux();
  user->set_uid(r.uid);
  user->set_gid(r.gid);
  for (gid_t g : r.groups) user->add_supplemental_groups(g);
  ToCriResources(r.resources, out->mutable_resources()->mutable_linux());
}

bool MatchesFilter(const ContainerRecord& r, const cri::ContainerFilter& f) {
  if (!f.id().empty() && !absl::StartsWith(r.id, f.id())) return false;
  if (f.has_state() && ToCriState(r.state) != f.state().state()) return false;
  if (!f.pod_sandbox_id().empty() && !absl::StartsWith(r.pod_id, f.pod_sandbox_id())) return false;
  for (const auto& [k, v] : f.label_selector()) {
    auto it = r.labels.find(k);
    if (it == r.labels.end() || it->second != v) return false;
  }
  return true;
}

std::string VerboseInfo(const ContainerRecord& r, const nlohmann::json& memory) {
  nlohmann::json j = {{"pid", r.pid}, {"pidStartTime", r.pid_start_time}, {"sandboxID", r.pod_id}, {"cgroupPath", r.cgroup_path},
                      {"shimPid", r.shim_pid}, {"stateDir", r.state_dir}, {"writableLayer", r.layer_dir + "/upper"},
                      {"logPath", r.log_path}, {"stopSignal", r.stop_signal.empty() ? "SIGTERM" : r.stop_signal}};
  if (!memory.is_null()) j["memory"] = memory;
  return JsonText(j);
}

}  // namespace podagent
