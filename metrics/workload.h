#pragma once
// What the metrics need to know of pods and containers, as plain structs: metrics/ does not see
// the agent. agent/stats fills a WorkloadSource from its PodLookup and ContainerRegistry; tests
// give fixed lists.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace podagent {

struct PodSnapshot {
  std::string id, name, namespace_, uid;
  uint32_t attempt = 0;
  std::string state;         // "ready" or "notready"
  std::string cgroup_path;   // relative to the cgroup root; "" when unknown
  pid_t pause_pid = 0;       // 0 when pause is gone or the pod uses the host network
  bool host_network = false;
  int64_t created_at_ns = 0;
  std::map<std::string, std::string> labels, annotations;  // for CRI filters only, never metric labels
};

struct ContainerSnapshot {
  std::string id, pod_id, name;
  uint32_t attempt = 0;
  std::string image;         // image reference as requested (cAdvisor's "image" label)
  std::string state;         // "created", "running", "exited", "unknown"
  std::string cgroup_path;   // relative to the cgroup root
  std::string upper_dir;     // writable layer
  pid_t pid = 0;             // container process on the host (0 when not running)
  int64_t created_at_ns = 0, started_at_ns = 0;
  std::map<std::string, std::string> labels, annotations;
};

class WorkloadSource {
 public:
  virtual ~WorkloadSource() = default;
  virtual std::vector<PodSnapshot> Pods() const = 0;
  virtual std::vector<ContainerSnapshot> Containers() const = 0;
};

}  // namespace podagent
