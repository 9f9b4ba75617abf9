#include "agent/sandbox/pod_view.h"

#include "absl/strings/match.h"

namespace podagent {
namespace {

void FillMetadata(const PodRecord& r, cri::PodSandboxMetadata* m) {
  m->set_name(r.name);
  m->set_namespace_(r.namespace_);
  m->set_uid(r.uid);
  m->set_attempt(r.attempt);
}

cri::PodSandboxState State(bool ready) { return ready ? cri::SANDBOX_READY : cri::SANDBOX_NOTREADY; }

}  // namespace

void FillPodSandboxStatus(const PodRecord& r, bool ready, cri::PodSandboxStatus* out) {
  out->set_id(r.id);
  FillMetadata(r, out->mutable_metadata());
  out->set_state(State(ready));
  out->set_created_at(r.created_at_ns);
  if (!r.ips.empty()) {
    out->mutable_network()->set_ip(r.ips[0]);
    for (size_t i = 1; i < r.ips.size(); ++i) out->mutable_network()->add_additional_ips()->set_ip(r.ips[i]);
  }
  auto* ns = out->mutable_linux()->mutable_namespaces()->mutable_options();
  ns->set_network(static_cast<cri::NamespaceMode>(r.net_mode));
  ns->set_ipc(static_cast<cri::NamespaceMode>(r.ipc_mode));
  ns->set_pid(static_cast<cri::NamespaceMode>(r.pid_mode));
  ns->set_target_id(r.target_id);
  out->mutable_labels()->insert(r.labels.begin(), r.labels.end());
  out->mutable_annotations()->insert(r.annotations.begin(), r.annotations.end());
  out->set_runtime_handler(r.runtime_handler);
}

void FillPodSandbox(const PodRecord& r, bool ready, cri::PodSandbox* out) {
  out->set_id(r.id);
  FillMetadata(r, out->mutable_metadata());
  out->set_state(State(ready));
  out->set_created_at(r.created_at_ns);
  out->mutable_labels()->insert(r.labels.begin(), r.labels.end());
  out->mutable_annotations()->insert(r.annotations.begin(), r.annotations.end());
  out->set_runtime_handler(r.runtime_handler);
}

nlohmann::json VerboseInfo(const PodRecord& r, bool ready) {
  return {
      {"pid", ready ? r.pause.pid : 0},
      {"pauseStartTime", r.pause.start_time},
      {"cgroupPath", r.cgroup_path},
      {"netnsPath", r.netns_path},
      {"state", ready ? "ready" : PodStateName(r.state == PodState::kReady ? PodState::kNotReady : r.state)},
      {"runtimeHandler", r.runtime_handler},
      {"hostname", r.hostname},
      {"ips", r.ips},
      {"files", {{"resolvConf", r.resolv_conf_path}, {"hosts", r.hosts_path}, {"hostname", r.hostname_path}}},
      {"config", r.ToJson()},
  };
}

bool MatchesFilter(const PodRecord& r, bool ready, const cri::PodSandboxFilter& f) {
  if (!f.id().empty() && !absl::StartsWith(r.id, f.id())) return false;
  if (f.has_state() && f.state().state() != State(ready)) return false;
  for (const auto& [k, v] : f.label_selector()) {
    auto it = r.labels.find(k);
    if (it == r.labels.end() || it->second != v) return false;
  }
  return true;
}

}  // namespace podagent
