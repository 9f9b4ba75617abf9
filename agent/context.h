#pragma once
// AgentContext: what every CRI handler can reach. The domains (agent/sandbox, agent/image,
// agent/container, agent/stats) talk to each other only through the small lookup interfaces
// below, so each can be unit-tested with fakes and built without the others.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/config.h"

namespace podagent {

class CgroupDriver;

// CRI NamespaceMode values (POD is 0, the protobuf default).
enum class NsMode : int { kPod = 0, kContainer = 1, kNode = 2, kTarget = 3 };

// What the container side needs to know of a pod. Implemented by agent/sandbox.
struct PodInfo {
  std::string id;
  std::string name, namespace_, uid;
  uint32_t attempt = 0;
  bool ready = false;                // SANDBOX_READY
  pid_t pause_pid = 0;               // 0 when pause is gone
  std::string cgroup_path;           // relative to the cgroup root, e.g. /podagent/pod<id>
  std::string netns_path;            // pinned netns (empty for host network)
  std::string ipc_ns_path;           // empty for host IPC
  std::string pid_ns_path;           // pause's pid ns, set when pid mode is POD
  NsMode net_mode = NsMode::kPod, ipc_mode = NsMode::kPod, pid_mode = NsMode::kPod;
  std::string hostname;
  std::string resolv_conf_path, hosts_path, hostname_path;  // files prepared for containers
  std::string shm_path;              // the pod's /dev/shm (empty: container gets its own)
  std::string log_directory;
  std::vector<std::string> ips;
  std::map<std::string, std::string> labels, annotations;
  int64_t created_at_ns = 0;
};

class PodLookup {
 public:
  virtual ~PodLookup() = default;
  // Full id or unique prefix; NotFound otherwise.
  virtual absl::StatusOr<PodInfo> GetPod(const std::string& id) const = 0;
  virtual std::vector<PodInfo> ListPods() const = 0;
  // Returns once the pod's record is durable: a container calls it before its first durable
  // record, so that no durable container outlives a power cut that took its pod's record.
  virtual absl::Status WaitDurable(const std::string& pod_id) = 0;
};

// An image as containers need it. Implemented by agent/image.
struct ImageInfo {
  std::string id;                          // "sha256:<config digest>"
  std::vector<std::string> repo_tags, repo_digests;
  std::vector<std::string> layer_dirs;     // unpacked layers, lowest first (overlay lowerdir order reversed)
  std::vector<std::string> entrypoint, cmd, env;
  std::string working_dir, user, stop_signal;
  std::map<std::string, std::string> labels;
  uint64_t size = 0;
};

class ImageLookup {
 public:
  virtual ~ImageLookup() = default;
  // By id, id prefix, tag, or digest reference; NotFound when absent.
  virtual absl::StatusOr<ImageInfo> GetImage(const std::string& ref) const = 0;
};

// A container as pods, images and metrics need it. Implemented by agent/container.
struct ContainerInfo {
  std::string id, pod_id, name;
  uint32_t attempt = 0;
  std::string image_ref, image_id;
  std::string state;                       // "created", "running", "exited", "unknown"
  pid_t pid = 0;
  std::string cgroup_path;                 // relative to the cgroup root
  std::string upper_dir;                   // writable layer
  int64_t created_at_ns = 0, started_at_ns = 0, finished_at_ns = 0;
  std::map<std::string, std::string> labels, annotations;
};

class ContainerRegistry {
 public:
  virtual ~ContainerRegistry() = default;
  virtual absl::Status StopAllInPod(const std::string& pod_id, int64_t timeout_seconds) = 0;
  virtual absl::Status RemoveAllInPod(const std::string& pod_id) = 0;
  virtual std::set<std::string> ImagesInUse() const = 0;  // image ids of existing containers
  // The containers with their states as of this call (exits seen since the last listing included).
  virtual std::vector<ContainerInfo> ListContainerInfos() = 0;
};

// Why `cgroups` is null: Status shows it as RuntimeReady=false, RunPodSandbox as FailedPrecondition.
struct CgroupsUnusable {
  std::string reason = "CgroupsUnavailable";  // a CamelCase CRI condition reason
  std::string message = "no usable cgroup hierarchy under /sys/fs/cgroup";
};

struct AgentContext {
  Config config;
  CgroupDriver* cgroups = nullptr;
  CgroupsUnusable cgroups_unusable;  // meaningful while cgroups is null
  PodLookup* pods = nullptr;
  ImageLookup* images = nullptr;
  ContainerRegistry* containers = nullptr;
};

}  // namespace podagent
