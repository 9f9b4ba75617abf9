#pragma once
// ContainerRecord: what the daemon keeps of one container, persisted in the RecordStore (kind
// "containers") before anything is allocated for it, and rebuilt from the shim's files
// (started.json, exit.json) after a restart.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/container/container_spec.h"

namespace podagent {

enum class CtrState { kCreating, kCreated, kRunning, kExited };

std::string CtrStateName(CtrState s);

struct ContainerRecord {
  std::string id, pod_id;
  std::string name;
  uint32_t attempt = 0;
  std::string image_spec;  // as the request named it
  std::string image_id, image_ref;
  std::map<std::string, std::string> labels, annotations;
  CtrState state = CtrState::kCreating;
  int64_t created_at_ns = 0, started_at_ns = 0, finished_at_ns = 0;
  int32_t exit_code = 0;
  std::string reason, message;
  pid_t pid = 0;
  uint64_t pid_start_time = 0;
  pid_t shim_pid = 0;
  std::string log_path;       // absolute; empty when the pod has no log directory
  std::string cri_log_path;   // as the request gave it (relative to the pod's log directory)
  std::vector<MountSpec> mounts;
  CgroupResources resources;
  std::string cgroup_path;
  std::string state_dir;      // <run_dir>/containers/<id>
  std::string layer_dir;      // <root_dir>/containers/<id> (upper, work)
  std::string stop_signal;    // from the image; empty: SIGTERM
  // The identity the first process starts with (ContainerStatus.user): uid, gid, setgroups list.
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  bool tty = false;  // ContainerConfig.tty: its stdio is a pty (Attach must not ask for stderr)
};

nlohmann::json ToJson(const ContainerRecord& r);
absl::StatusOr<ContainerRecord> ContainerRecordFromJson(const nlohmann::json& j);

nlohmann::json ResourcesToJson(const CgroupResources& r);
CgroupResources ResourcesFromJson(const nlohmann::json& j);

}  // namespace podagent
