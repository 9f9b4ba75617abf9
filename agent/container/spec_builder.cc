#include "agent/container/spec_builder.h"

#include <sys/stat.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/container/container_resources.h"
#include "runtime/cgroups/device_rules.h"
#include "runtime/common/errors.h"
#include "runtime/container/capabilities.h"
#include "runtime/container/process_args.h"
#include "runtime/container/seccomp_profile.h"
#include "runtime/container/user_resolve.h"
#include "runtime/process/oom_score.h"
#include "runtime/process/proc_stat.h"

namespace podagent {
namespace {

bool IsAbsolute(const std::string& p) { return !p.empty() && p[0] == '/'; }

// The CRI's rule for recursive_read_only: readonly must be set too, and propagation PRIVATE (a
// mount propagated in later would not be read-only).
absl::Status CheckRecursiveReadOnly(const cri::Mount& m) {
  if (!m.recursive_read_only()) return absl::OkStatus();
  if (!m.readonly()) {
    return absl::InvalidArgumentError(absl::StrCat("mount ", m.container_path(),
                                                   ": recursive_read_only needs readonly to be true as well"));
  }
  if (m.propagation() != cri::PROPAGATION_PRIVATE) {
    return absl::InvalidArgumentError(absl::StrCat("mount ", m.container_path(),
                                                   ": recursive_read_only needs propagation PRIVATE, not ",
                                                   cri::MountPropagation_Name(m.propagation())));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<MountSpec>> ConvertMounts(const cri::ContainerConfig& c) {
  std::vector<MountSpec> out;
  for (const auto& m : c.mounts()) {
    if (!IsAbsolute(m.container_path())) {
      return absl::InvalidArgumentError(absl::StrCat("mount container_path ", m.container_path(), " is not absolute"));
    }
    if (!IsAbsolute(m.host_path())) {
      return absl::InvalidArgumentError(absl::StrCat("mount host_path ", m.host_path(), " is not absolute"));
    }
    struct stat st;
    if (::stat(m.host_path().c_str(), &st) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("mount source ", m.host_path(), " for ", m.container_path(),
                                                     " does not exist"));
    }
    RETURN_IF_ERROR(CheckRecursiveReadOnly(m));
    MountSpec ms{m.host_path(), m.container_path(), m.readonly(), Propagation::kPrivate, m.recursive_read_only()};
    if (m.propagation() == cri::PROPAGATION_HOST_TO_CONTAINER) ms.propagation = Propagation::kRSlave;
    if (m.propagation() == cri::PROPAGATION_BIDIRECTIONAL) ms.propagation = Propagation::kRShared;
    out.push_back(ms);
  }
  return out;
}

absl::StatusOr<std::vector<DeviceSpec>> ConvertDevices(const cri::ContainerConfig& c) {
  std::vector<DeviceSpec> out;
  for (const auto& d : c.devices()) {
    struct stat st;
    if (::stat(d.host_path().c_str(), &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
      return absl::InvalidArgumentError(absl::StrCat("device ", d.host_path(), " is not a device on this node"));
    }
    std::string dest = d.container_path().empty() ? d.host_path() : d.container_path();
    if (!IsAbsolute(dest)) return absl::InvalidArgumentError(absl::StrCat("device container_path ", dest, " is not absolute"));
    std::string permissions = d.permissions().empty() ? "rwm" : d.permissions();
    if (auto st = ValidateDeviceAccess(permissions); !st.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("device ", d.host_path(), ": ", st.message()));
    }
    out.push_back({d.host_path(), dest, permissions});
  }
  return out;
}

// The device cgroup: privileged sees every host device (as Kubernetes defines privileged);
// otherwise deny all but the standard nodes and what the CRI granted, with its permissions.
absl::StatusOr<std::vector<DeviceRule>> DeviceRulesFor(const std::vector<DeviceSpec>& devices, bool privileged) {
  if (privileged) return std::vector<DeviceRule>{AllowAllDevices()};
  std::vector<DeviceRule> rules = DefaultDeviceRules();
  for (const DeviceSpec& d : devices) {
    struct stat st;
    if (::stat(d.host_path.c_str(), &st) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("device ", d.host_path, " is not a device on this node"));
    }
    auto rule = DeviceRuleForNode(st.st_mode, st.st_rdev, d.permissions);
    if (!rule.ok()) return absl::InvalidArgumentError(absl::StrCat("device ", d.host_path, ": ", rule.status().message()));
    rules.push_back(*rule);
  }
  return rules;
}

// The process whose /proc/PID/ns files the container will join, named for its whole life.
absl::StatusOr<NsOwner> NamespaceOwner(pid_t pid, const std::string& what, const SpecInputs& in) {
  absl::StatusOr<uint64_t> start;
  if (in.start_time) {
    start = in.start_time(pid);
  } else if (auto stat = ReadProcStat(pid); stat.ok()) {
    start = stat->start_time;
  } else {
    start = stat.status();
  }
  if (!start.ok()) return absl::FailedPreconditionError(absl::StrCat(what, " (pid ", pid, ") is gone"));
  return NsOwner{pid, *start};
}

void AddOwner(NamespaceSpec& ns, const NsOwner& owner) {
  for (const NsOwner& o : ns.owners) {
    if (o.pid == owner.pid) return;
  }
  ns.owners.push_back(owner);
}

absl::Status FillNamespaces(const cri::LinuxContainerSecurityContext& sc, const PodInfo& pod, const SpecInputs& in,
                            NamespaceSpec& ns) {
  std::string pause = pod.pause_pid > 0 ? absl::StrCat("/proc/", pod.pause_pid, "/ns/") : "";
  auto pod_ns = [&](const std::string& pinned, const char* kind) -> absl::StatusOr<std::string> {
    if (!pinned.empty() && !absl::StartsWith(pinned, "/proc/")) return pinned;  // a bind-mounted pin
    if (pause.empty()) return absl::FailedPreconditionError(absl::StrCat("pod ", pod.id, " has no ", kind, " namespace: its pause process is gone"));
    ASSIGN_OR_RETURN(NsOwner owner, NamespaceOwner(pod.pause_pid, absl::StrCat("the pause process of pod ", pod.id), in));
    AddOwner(ns, owner);
    return pause + kind;
  };
  if (pod.net_mode != NsMode::kNode) {
    ASSIGN_OR_RETURN(ns.net_path, pod_ns(pod.netns_path, "net"));
  } else {
    ns.host_uts = true;  // a host-network pod uses the host's hostname
  }
  if (pod.ipc_mode != NsMode::kNode) {
    ASSIGN_OR_RETURN(ns.ipc_path, pod_ns(pod.ipc_ns_path, "ipc"));
  }
  const auto& o = sc.namespace_options();
  NsMode pid_mode = sc.has_namespace_options() ? static_cast<NsMode>(o.pid()) : NsMode::kContainer;
  switch (pid_mode) {
    case NsMode::kPod: {
      ASSIGN_OR_RETURN(ns.pid_path, pod_ns(pod.pid_ns_path, "pid"));
      break;
    }
    case NsMode::kNode: ns.host_pid = true; break;
    case NsMode::kTarget: {
      if (!in.target_pid) return absl::InvalidArgumentError("pid namespace TARGET is not available");
      ASSIGN_OR_RETURN(pid_t pid, in.target_pid(o.target_id()));
      ASSIGN_OR_RETURN(NsOwner owner, NamespaceOwner(pid, absl::StrCat("target container ", o.target_id()), in));
      AddOwner(ns, owner);
      ns.pid_path = absl::StrCat("/proc/", pid, "/ns/pid");
      break;
    }
    default: break;
  }
  return absl::OkStatus();
}

absl::StatusOr<ResolvedUser> ResolveContainerUser(const cri::LinuxContainerSecurityContext& sc, const ImageInfo& image,
                                                  const SpecInputs& in) {
  if (sc.has_run_as_group() && !sc.has_run_as_user() && sc.run_as_username().empty()) {
    return absl::InvalidArgumentError("run_as_group is set without run_as_user or run_as_username");
  }
  UserRequest req;
  if (sc.has_run_as_user()) req.run_as_user = sc.run_as_user().value();
  req.run_as_username = sc.run_as_username();
  if (sc.has_run_as_group()) req.run_as_group = sc.run_as_group().value();
  req.supplemental_groups.assign(sc.supplemental_groups().begin(), sc.supplemental_groups().end());
  switch (sc.supplemental_groups_policy()) {
    case cri::Merge: break;
    case cri::Strict: req.strict_groups = true; break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unknown supplemental_groups_policy ", static_cast<int>(sc.supplemental_groups_policy())));
  }
  req.image_user = image.user;
  return ResolveUser(req, in.image_passwd, in.image_group);
}

// The CRI gives log_path relative to the pod's log_directory ("<name>/<attempt>.log"). The shim
// writes it as root, so an absolute path or a ".." component would put a file anywhere on the
// node: refused.
absl::StatusOr<std::string> JoinLogPath(const std::string& dir, const std::string& rel) {
  if (dir.empty() || rel.empty()) return std::string();
  if (IsAbsolute(rel)) {
    return absl::InvalidArgumentError(absl::StrCat("log_path \"", rel,
                                                   "\" is absolute: give it relative to the pod's log_directory"));
  }
  for (absl::string_view part : absl::StrSplit(rel, '/')) {
    if (part == "..") {
      return absl::InvalidArgumentError(
          absl::StrCat("log_path \"", rel, "\" leaves the pod's log_directory through \"..\""));
    }
  }
  if (rel.back() == '/') return absl::InvalidArgumentError(absl::StrCat("log_path \"", rel, "\" names no file"));
  return absl::StrCat(dir, "/", rel);
}

}  // namespace

absl::StatusOr<std::optional<SeccompProfile>> SeccompFor(const cri::LinuxContainerSecurityContext& sc,
                                                         const std::vector<std::string>& caps) {
  using Profile = std::optional<SeccompProfile>;
  if (sc.privileged()) return Profile();
  std::string localhost;
  if (sc.has_seccomp()) {
    switch (sc.seccomp().profile_type()) {
      case cri::SecurityProfile::RuntimeDefault: return Profile(RuntimeDefaultSeccompProfile(caps));
      case cri::SecurityProfile::Unconfined: return Profile();
      case cri::SecurityProfile::Localhost: localhost = sc.seccomp().localhost_ref(); break;
      default: return absl::InvalidArgumentError("unknown seccomp profile type");
    }
  } else {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    const std::string& p = sc.seccomp_profile_path();  // deprecated, still sent by older kubelets
#pragma GCC diagnostic pop
    if (p.empty() || p == "unconfined") return Profile();
    if (p == "runtime/default" || p == "docker/default") return Profile(RuntimeDefaultSeccompProfile(caps));
    if (!absl::StartsWith(p, "localhost/")) return absl::InvalidArgumentError("unknown seccomp profile " + p);
    localhost = p.substr(strlen("localhost/"));
  }
  if (!IsAbsolute(localhost)) {
    return absl::InvalidArgumentError(absl::StrCat("seccomp localhost profile path ", localhost, " is not absolute"));
  }
  auto profile = LoadSeccompProfileFile(localhost);
  if (!profile.ok()) return absl::InvalidArgumentError(profile.status().message());
  return Profile(*profile);
}

absl::StatusOr<BuiltSpec> BuildContainerSpec(const cri::ContainerConfig& c, const PodInfo& pod, const ImageInfo& image,
                                             const SpecInputs& in) {
  const auto& sc = c.linux().security_context();
  BuiltSpec out;
  ContainerSpec& s = out.spec;
  s.id = in.id;
  s.pod_id = pod.id;
  s.state_dir = in.state_dir;
  s.lower_dirs = image.layer_dirs;
  if (s.lower_dirs.empty()) return absl::FailedPreconditionError(absl::StrCat("image ", image.id, " has no unpacked layers"));
  s.upper_dir = in.layer_dir + "/upper";
  s.work_dir = in.layer_dir + "/work";
  s.readonly_rootfs = sc.readonly_rootfs();
  s.privileged = sc.privileged();
  ASSIGN_OR_RETURN(s.mounts, ConvertMounts(c));
  ASSIGN_OR_RETURN(s.devices, ConvertDevices(c));
  s.masked_paths.assign(sc.masked_paths().begin(), sc.masked_paths().end());
  s.readonly_paths.assign(sc.readonly_paths().begin(), sc.readonly_paths().end());
  ApplyDefaultPaths(s);
  s.hostname = pod.hostname;
  s.hosts_path = pod.hosts_path;
  s.resolv_conf_path = pod.resolv_conf_path;
  s.hostname_path = pod.hostname_path;
  s.shm_path = pod.shm_path;
  RETURN_IF_ERROR(FillNamespaces(sc, pod, in, s.namespaces));

  ProcessSpec& p = s.process;
  std::vector<std::string> command(c.command().begin(), c.command().end());
  std::vector<std::string> args(c.args().begin(), c.args().end());
  ASSIGN_OR_RETURN(p.args, MergeCommand(command, args, image.entrypoint, image.cmd));
  std::vector<std::string> envs;
  for (const auto& kv : c.envs()) envs.push_back(absl::StrCat(kv.key(), "=", kv.value()));
  p.env = MergeEnv(image.env, envs);
  p.cwd = !c.working_dir().empty() ? c.working_dir() : !image.working_dir.empty() ? image.working_dir : "/";
  if (!IsAbsolute(p.cwd)) return absl::InvalidArgumentError(absl::StrCat("working_dir ", p.cwd, " is not absolute"));
  ASSIGN_OR_RETURN(ResolvedUser user, ResolveContainerUser(sc, image, in));
  p.uid = user.uid;
  p.gid = user.gid;
  p.additional_gids = user.additional_gids;
  if (std::none_of(p.env.begin(), p.env.end(), [](const std::string& e) { return absl::StartsWith(e, "HOME="); })) {
    p.env.push_back("HOME=" + user.home);
  }
  std::vector<std::string> add(sc.capabilities().add_capabilities().begin(), sc.capabilities().add_capabilities().end());
  std::vector<std::string> drop(sc.capabilities().drop_capabilities().begin(), sc.capabilities().drop_capabilities().end());
  ASSIGN_OR_RETURN(p.capabilities, ComputeCapabilities(add, drop, sc.privileged()));
  p.no_new_privs = sc.no_new_privs();
  ASSIGN_OR_RETURN(p.seccomp, SeccompFor(sc, p.capabilities));
  p.stdin = c.stdin();
  p.stdin_once = c.stdin_once();
  p.tty = c.tty();  // the shim gives it a pty as stdin, stdout and stderr

  ASSIGN_OR_RETURN(out.resources, ToCgroupResources(c.linux().resources()));
  ASSIGN_OR_RETURN(out.resources.devices, DeviceRulesFor(s.devices, s.privileged));
  if (int adj = static_cast<int>(c.linux().resources().oom_score_adj()); adj != 0) {
    ASSIGN_OR_RETURN(OomScoreDecision d, DecideOomScoreAdj(adj, in.own_oom_score_adj, in.can_lower_oom_score,
                                                           in.oom_score_adj_policy));
    p.oom_score_adj = d.value;
    out.oom_score_clamped = d.clamped;
  }
  s.cgroup_procs_files = in.cgroup_procs_files;
  s.cgroup_namespace = in.cgroup_namespace && !s.cgroup_procs_files.empty();
  s.oom_events_file = in.oom_events_file;
  ASSIGN_OR_RETURN(out.log_path, JoinLogPath(pod.log_directory, c.log_path()));
  s.log_path = out.log_path;
  return out;
}

}  // namespace podagent
