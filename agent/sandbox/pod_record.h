#pragma once
// PodRecord: everything podagent keeps about a pod sandbox, as stored (RecordStore kind "pods")
// and served. Plain data; JSON in and out. No CRI types here.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "agent/context.h"
#include "runtime/cni/network_plugin.h"
#include "runtime/process/child_process.h"
#include "runtime/sandbox/pod_files.h"

namespace podagent {

enum class PodState {
  kCreating,  // RunPodSandbox in progress (a record found so at start is a crash mid-run)
  kReady,     // pause runs, network set up
  kNotReady,  // stopped, or pause died
};

std::string PodStateName(PodState s);

struct PodRecord {
  std::string id;
  std::string name, namespace_, uid;
  uint32_t attempt = 0;
  std::string hostname, log_directory, runtime_handler;
  std::map<std::string, std::string> labels, annotations;
  NsMode net_mode = NsMode::kPod, ipc_mode = NsMode::kPod, pid_mode = NsMode::kPod;
  std::string target_id;
  std::map<std::string, std::string> sysctls;
  DnsSpec dns;
  std::vector<PortMapping> port_mappings;
  std::string cgroup_parent;  // as asked (or the configured default)
  std::string cgroup_path;    // the pod cgroup: <parent>/pod<id>
  std::string netns_path;     // pinned netns ("" with the host's network)
  std::string resolv_conf_path, hosts_path, hostname_path;
  std::optional<int> oom_score_adj;  // for pause, after the policy
  ProcessIdentity pause;
  bool network_setup = false;  // a CNI ADD was started and not yet torn down
  std::vector<std::string> ips;
  PodState state = PodState::kCreating;
  int64_t created_at_ns = 0;

  bool HostNetwork() const { return net_mode == NsMode::kNode; }
  bool HostIpc() const { return ipc_mode == NsMode::kNode; }
  bool HostPid() const { return pid_mode == NsMode::kNode; }
  // kubelet's identity of a pod: unique among live pods.
  std::string NameKey() const;

  nlohmann::json ToJson() const;
  static absl::StatusOr<PodRecord> FromJson(const nlohmann::json& j);
  PodInfo ToPodInfo(bool ready) const;
};

}  // namespace podagent
