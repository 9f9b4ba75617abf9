#include "tests/bench/cri/bench_target.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/ids.h"
#include "tests/bench/cri/proc_memory.h"

namespace podagent::bench {
namespace {

std::string SocketPath(const std::string& endpoint) {
  return absl::StartsWith(endpoint, "unix://") ? endpoint.substr(7) : endpoint;
}

}  // namespace

std::string UniqueName(const std::string& prefix) { return prefix + "-" + NewId().substr(0, 8); }

Target::Target(TargetOptions options)
    : o_(std::move(options)),
      cgroup_parent_("/podagent-bench-" + NewId().substr(0, 8)),
      client_(std::make_unique<testing::CriClient>(SocketPath(o_.endpoint), std::chrono::seconds(300))) {}

Target::~Target() {
  int failed = RemoveTrackedPods();
  if (failed) std::fprintf(stderr, "cri-bench: %s: %d pods could not be removed\n", o_.name.c_str(), failed);
  auto driver = CgroupDriver::Detect("/sys/fs/cgroup");
  absl::Status st = driver.ok() ? (*driver)->Destroy(cgroup_parent_) : driver.status();
  if (!st.ok()) std::fprintf(stderr, "cri-bench: %s: cgroup %s: %s\n", o_.name.c_str(), cgroup_parent_.c_str(),
                             std::string(st.message()).c_str());
  // On a hybrid host runc (containerd's) also makes the parent in the controller-less v2 tree,
  // which podagent's v1 driver does not manage: empty by now, it is removed here.
  std::string unified = "/sys/fs/cgroup/unified" + cgroup_parent_;
  if (::rmdir(unified.c_str()) != 0 && errno != ENOENT) {
    std::fprintf(stderr, "cri-bench: %s: rmdir %s: %s\n", o_.name.c_str(), unified.c_str(), std::strerror(errno));
  }
}

absl::StatusOr<pid_t> Target::DaemonPid() const { return SocketPeerPid(SocketPath(o_.endpoint)); }

cri::PodSandboxConfig Target::PodConfig(const std::string& name, bool host_network) const {
  cri::PodSandboxConfig c = testing::MakePodConfig(name, o_.log_dir);
  c.mutable_metadata()->set_namespace_("podagent-bench");
  c.mutable_linux()->set_cgroup_parent(cgroup_parent_);
  if (host_network) {
    c.clear_hostname();  // the node's UTS namespace: runc refuses to set a hostname there
    c.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_network(cri::NamespaceMode::NODE);
  }
  return c;
}

cri::ContainerConfig Target::ContainerConfig(const std::string& pod_name) const {
  // sh is PID 1 of the container: without the trap it would ignore SIGTERM and every stop would
  // wait for the kill. `wait` returns as soon as the trapped signal arrives.
  cri::ContainerConfig c = testing::MakeContainerConfig(
      "app", o_.image, {"sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"});
  c.set_log_path(pod_name + ".log");
  return c;
}

void Target::Track(const std::string& pod_id) {
  std::lock_guard<std::mutex> lock(mu_);
  pods_.insert(pod_id);
}

void Target::Untrack(const std::string& pod_id) {
  std::lock_guard<std::mutex> lock(mu_);
  pods_.erase(pod_id);
}

int Target::RemoveTrackedPods() {
  std::set<std::string> pods;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pods.swap(pods_);
  }
  int failed = 0;
  for (const auto& id : pods) {
    grpc::Status st = client_->StopPod(id);
    if (st.ok()) st = client_->RemovePod(id);
    if (!st.ok()) {
      ++failed;
      std::fprintf(stderr, "cri-bench: %s: remove pod %s: %s\n", o_.name.c_str(), id.c_str(), st.error_message().c_str());
    }
  }
  return failed;
}

}  // namespace podagent::bench
