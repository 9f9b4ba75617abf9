#pragma once
// CreateContainerRequest -> ContainerSpec: the pure conversion and validation behind
// CreateContainer. Everything it needs from the node comes in through SpecInputs, so it runs in
// unit tests with fake pods and images.

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/context.h"
#include "agent/services.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/container/container_spec.h"

namespace podagent {

struct SpecInputs {
  std::string id;
  std::string state_dir;   // <run_dir>/containers/<id>
  std::string layer_dir;   // <root_dir>/containers/<id>: upper/ and work/
  std::vector<std::string> cgroup_procs_files;
  bool cgroup_namespace = false;  // a private cgroup namespace (v2, or v1 when configured)
  std::string oom_events_file;
  std::string image_passwd, image_group;  // the image's /etc/passwd and /etc/group ("" if none)
  int own_oom_score_adj = 0;              // the daemon's: the floor without CAP_SYS_RESOURCE
  bool can_lower_oom_score = false;
  std::string oom_score_adj_policy = "clamp";
  // The host pid of a running container of the same pod, for pid namespace mode TARGET.
  std::function<absl::StatusOr<pid_t>(const std::string& id)> target_pid;
  // The start time (/proc/PID/stat field 22) of a process whose namespaces the container joins;
  // unset reads /proc. Unit tests give their fake pids one.
  std::function<absl::StatusOr<uint64_t>(pid_t pid)> start_time;
};

struct BuiltSpec {
  ContainerSpec spec;
  CgroupResources resources;
  std::string log_path;  // absolute, or "" when the pod has no log directory
  bool oom_score_clamped = false;
};

absl::StatusOr<BuiltSpec> BuildContainerSpec(const cri::ContainerConfig& config, const PodInfo& pod,
                                             const ImageInfo& image, const SpecInputs& in);

// The seccomp profile the security context asks for (nullopt: unconfined).
absl::StatusOr<std::optional<SeccompProfile>> SeccompFor(const cri::LinuxContainerSecurityContext& sc,
                                                         const std::vector<std::string>& capabilities);

}  // namespace podagent
