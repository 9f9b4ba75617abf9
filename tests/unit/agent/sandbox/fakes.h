#pragma once
// Recording fakes for the SandboxManager seams, with error injection.

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "agent/context.h"
#include "runtime/cni/network_plugin.h"
#include "runtime/sandbox/sandbox_runtime.h"

namespace podagent {

class FakeRuntime : public SandboxRuntime {
 public:
  std::string NetnsPath(const std::string& id) const override { return "/fake/netns/" + id; }
  std::string PodDir(const std::string& id) const override { return "/fake/pods/" + id; }
  absl::StatusOr<SandboxState> Start(const SandboxSpec& spec) override {
    absl::MutexLock l(&mu);
    calls.push_back("start " + spec.id);
    specs.push_back(spec);
    if (!fail_start.ok()) return fail_start;
    SandboxState st;
    st.pause = {static_cast<pid_t>(1000 + specs.size()), 7};
    st.netns_path = spec.host_network ? "" : NetnsPath(spec.id);
    st.files = {PodDir(spec.id) + "/resolv.conf", PodDir(spec.id) + "/hosts", PodDir(spec.id) + "/hostname"};
    alive.insert(spec.id);
    existing.insert(spec.id);
    return st;
  }
  bool PauseAlive(const std::string& id, const ProcessIdentity&) override {
    absl::MutexLock l(&mu);
    ++single_alive_calls;
    return alive.count(id) > 0;
  }
  std::vector<bool> PausesAlive(const std::vector<PauseRef>& pauses) override {
    absl::MutexLock l(&mu);
    ++batch_alive_calls;
    std::vector<bool> out;
    for (const PauseRef& p : pauses) out.push_back(alive.count(p.id) > 0);
    return out;
  }
  absl::Status StopPause(const std::string& id, const ProcessIdentity&, absl::Duration) override {
    absl::MutexLock l(&mu);
    calls.push_back("stop " + id);
    alive.erase(id);
    return absl::OkStatus();
  }
  absl::Status Remove(const std::string& id, const std::string&) override {
    absl::MutexLock l(&mu);
    calls.push_back("remove " + id);
    alive.erase(id);
    existing.erase(id);
    return absl::OkStatus();
  }
  void Kill(const std::string& id) {
    absl::MutexLock l(&mu);
    alive.erase(id);
  }

  absl::Mutex mu;
  absl::Status fail_start;
  std::vector<std::string> calls;
  std::vector<SandboxSpec> specs;
  std::set<std::string> alive, existing;
  int single_alive_calls = 0, batch_alive_calls = 0;  // PauseAlive, PausesAlive
};

class FakeNetwork : public NetworkPlugin {
 public:
  absl::Status Ready() const override { return ready; }
  absl::StatusOr<NetworkResult> Setup(const NetworkPod& pod) override {
    // Read once: the test clears it while this call waits on it.
    if (absl::Notification* block = block_setup.load(); block != nullptr) {
      entered_setup.Notify();
      block->WaitForNotification();
    }
    absl::MutexLock l(&mu);
    calls.push_back("add " + pod.id);
    if (!fail_setup.ok()) return fail_setup;
    std::string ip = "10.88.0." + std::to_string(++next_ip);
    attached[pod.id] = ip;
    return NetworkResult{{ip}, {}};
  }
  absl::Status Teardown(const NetworkPod& pod) override {
    absl::MutexLock l(&mu);
    calls.push_back("del " + pod.id);
    if (!fail_teardown.ok()) return fail_teardown;
    attached.erase(pod.id);
    return absl::OkStatus();
  }
  absl::Status Check(const NetworkPod&) override { return absl::OkStatus(); }

  absl::Mutex mu;
  absl::Status ready, fail_setup, fail_teardown;
  std::vector<std::string> calls;
  std::map<std::string, std::string> attached;
  int next_ip = 0;
  std::atomic<absl::Notification*> block_setup{nullptr};
  absl::Notification entered_setup;
};

class FakeContainers : public ContainerRegistry {
 public:
  absl::Status StopAllInPod(const std::string& pod_id, int64_t) override {
    absl::MutexLock l(&mu);
    calls.push_back("stop-containers " + pod_id);
    return absl::OkStatus();
  }
  absl::Status RemoveAllInPod(const std::string& pod_id) override {
    absl::MutexLock l(&mu);
    calls.push_back("remove-containers " + pod_id);
    return absl::OkStatus();
  }
  std::set<std::string> ImagesInUse() const override { return {}; }
  std::vector<ContainerInfo> ListContainerInfos() override { return {}; }
  absl::Mutex mu;
  std::vector<std::string> calls;
};

}  // namespace podagent
