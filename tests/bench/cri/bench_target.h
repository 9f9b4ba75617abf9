#pragma once
// Target: one CRI runtime under test (podagent, or the peer), with what the benchmark needs to
// drive it fairly: its client, the daemon's pid (from the socket), its metrics URL, a private
// cgroup parent and log directory, and the pods it created so far (removed at the end whatever
// happened).

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "tests/lib/cri_client.h"

namespace podagent::bench {

namespace cri = ::runtime::v1;

struct TargetOptions {
  std::string name;         // the column name: "podagent", "containerd"
  std::string endpoint;     // unix socket path (a "unix://" prefix is dropped)
  std::string metrics_url;  // "" skips the /metrics row
  std::string log_dir;      // container logs go here
  std::string image;        // what the benchmark's containers run
};

class Target {
 public:
  explicit Target(TargetOptions options);
  ~Target();  // removes the pods still recorded, then the cgroup parent

  const std::string& name() const { return o_.name; }
  const TargetOptions& options() const { return o_; }
  testing::CriClient& client() { return *client_; }
  // The pid serving the socket (SO_PEERCRED), or an error.
  absl::StatusOr<pid_t> DaemonPid() const;

  // A pod in the benchmark's namespace under this target's cgroup parent; `host_network` puts it
  // in the node's network namespace (no CNI).
  cri::PodSandboxConfig PodConfig(const std::string& name, bool host_network) const;
  // One container that exits at once on SIGTERM and otherwise sleeps.
  cri::ContainerConfig ContainerConfig(const std::string& pod_name) const;

  // Pods are recorded between RunPodSandbox and RemovePodSandbox, so a failure anywhere still
  // leaves nothing behind.
  void Track(const std::string& pod_id);
  void Untrack(const std::string& pod_id);
  // Stops and removes every tracked pod; returns how many failed.
  int RemoveTrackedPods();

 private:
  TargetOptions o_;
  std::string cgroup_parent_;
  std::unique_ptr<testing::CriClient> client_;
  std::mutex mu_;
  std::set<std::string> pods_;
};

// A unique pod name: PREFIX-<8 hex>.
std::string UniqueName(const std::string& prefix);

}  // namespace podagent::bench
