#include "agent/stats/workload_adapter.h"

namespace podagent {

PodSnapshot ToPodSnapshot(const PodInfo& pod) {
  PodSnapshot s;
  s.id = pod.id;
  s.name = pod.name;
  s.namespace_ = pod.namespace_;
  s.uid = pod.uid;
  s.attempt = pod.attempt;
  s.state = pod.ready ? "ready" : "notready";
  s.cgroup_path = pod.cgroup_path;
  s.pause_pid = pod.pause_pid;
  s.host_network = pod.net_mode == NsMode::kNode;
  s.created_at_ns = pod.created_at_ns;
  s.labels = pod.labels;
  s.annotations = pod.annotations;
  return s;
}

ContainerSnapshot ToContainerSnapshot(const ContainerInfo& c) {
  ContainerSnapshot s;
  s.id = c.id;
  s.pod_id = c.pod_id;
  s.name = c.name;
  s.attempt = c.attempt;
  s.image = c.image_ref.empty() ? c.image_id : c.image_ref;
  s.state = c.state;
  s.cgroup_path = c.cgroup_path;
  s.upper_dir = c.upper_dir;
  s.pid = c.pid;
  s.created_at_ns = c.created_at_ns;
  s.started_at_ns = c.started_at_ns;
  s.labels = c.labels;
  s.annotations = c.annotations;
  return s;
}

std::vector<PodSnapshot> AgentWorkload::Pods() const {
  std::vector<PodSnapshot> out;
  if (ctx_.pods == nullptr) return out;
  for (const PodInfo& p : ctx_.pods->ListPods()) out.push_back(ToPodSnapshot(p));
  return out;
}

std::vector<ContainerSnapshot> AgentWorkload::Containers() const {
  std::vector<ContainerSnapshot> out;
  if (ctx_.containers == nullptr) return out;
  for (const ContainerInfo& c : ctx_.containers->ListContainerInfos()) out.push_back(ToContainerSnapshot(c));
  return out;
}

}  // namespace podagent
