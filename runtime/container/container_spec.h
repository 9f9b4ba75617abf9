#pragma once
// ContainerSpec: everything podagent-shim needs to build and run one container, with no CRI types.
// The agent fills it from a CreateContainerRequest, the pod and the image; the shim reads it from
// <run_dir>/containers/<id>/spec.json (ToJson/FromJson below).

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "runtime/container/seccomp_profile.h"

namespace podagent {

enum class Propagation { kPrivate, kRSlave, kRShared };

struct MountSpec {
  std::string source;       // host path
  std::string destination;  // absolute path inside the container
  bool readonly = false;
  Propagation propagation = Propagation::kPrivate;
  // With `readonly`: every submount read-only too (mount_setattr AT_RECURSIVE); without it only the
  // bind itself is, and a mount below it stays as the host has it.
  bool recursive_readonly = false;
};

struct DeviceSpec {
  std::string host_path;       // e.g. /dev/fuse
  std::string container_path;  // e.g. /dev/fuse
  std::string permissions = "rwm";
};

struct RlimitSpec {
  std::string name;  // "RLIMIT_NOFILE"
  uint64_t soft = 0, hard = 0;
};

// Which namespaces the container process joins (paths to ns files) and which it creates.
// MNT is always new. UTS is new unless `host_uts`. PID is new unless `pid_path` is set or
// `host_pid`. IPC and NET are joined by path, or the host's when the path is empty.
// A /proc/PID/ns/* path names whatever process holds PID when it is opened: a pause that died
// and a host process given its pid would hand the container the host's namespaces. `owners`
// are the processes (pid + start time) the paths were taken from; the shim opens the ns files,
// then checks each owner still has its start time, and refuses to start otherwise.
struct NsOwner {
  pid_t pid = 0;
  uint64_t start_time = 0;  // /proc/PID/stat field 22
};

struct NamespaceSpec {
  std::string ipc_path, net_path, pid_path;
  bool host_pid = false;
  bool host_uts = false;
  std::vector<NsOwner> owners;
};

struct ProcessSpec {
  std::vector<std::string> args;  // args[0] is looked up in PATH from `env` when it has no '/'
  std::vector<std::string> env;   // "KEY=value"
  std::string cwd = "/";
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> additional_gids;
  std::vector<std::string> capabilities;  // "CAP_CHOWN" ...: bounding, and effective/permitted for uid 0
  bool no_new_privs = false;
  std::optional<SeccompProfile> seccomp;  // nullopt: unconfined
  std::optional<int> oom_score_adj;
  std::vector<RlimitSpec> rlimits;
  bool stdin = false;       // keep an open stdin pipe (for attach)
  bool stdin_once = false;
  bool tty = false;
};

struct ContainerSpec {
  std::string id, pod_id;
  std::string state_dir;  // <run_dir>/containers/<id>: spec.json, started.json, exit.json, control, rootfs/

  // Root filesystem: overlay of `lower_dirs` (lowest first) with `upper_dir`/`work_dir`, or a plain
  // directory `rootfs_dir` when `lower_dirs` is empty.
  std::vector<std::string> lower_dirs;
  std::string upper_dir, work_dir;
  std::string rootfs_dir;
  bool readonly_rootfs = false;

  std::vector<MountSpec> mounts;
  std::vector<DeviceSpec> devices;
  std::vector<std::string> masked_paths, readonly_paths;
  bool privileged = false;  // /sys read-write, every host device

  std::string hostname;
  std::string hosts_path, resolv_conf_path, hostname_path;  // pod files bound into /etc
  std::string shm_path;                                       // pod /dev/shm; empty: a tmpfs
  NamespaceSpec namespaces;

  ProcessSpec process;

  std::vector<std::string> cgroup_procs_files;  // the process joins these before setup
  bool cgroup_namespace = false;  // then unshares a cgroup namespace rooted at its cgroup
  std::string oom_events_file;                  // v1 memory.oom_control or v2 memory.events
  std::string log_path;                         // CRI log file; empty: output discarded
};

nlohmann::json ToJson(const ContainerSpec& spec);
absl::StatusOr<ContainerSpec> ContainerSpecFromJson(const nlohmann::json& j);

// Fills the Kubernetes default masked/read-only paths when the lists are empty (not privileged).
void ApplyDefaultPaths(ContainerSpec& spec);
std::vector<std::string> DefaultMaskedPaths();
std::vector<std::string> DefaultReadonlyPaths();

}  // namespace podagent
