#include "tests/bench/cri/lifecycle_bench.h"

#include "tests/bench/cri/timing.h"

namespace podagent::bench {
namespace {

// Stop and remove `pod_id` timed into rows suffixed with `suffix`; untracked once removed.
void TearDownPod(Target& t, Results& r, const std::string& pod_id, const std::string& suffix) {
  auto& c = t.client();
  if (!TimedStep(t, r, "StopPodSandbox" + suffix, [&] { return c.StopPod(pod_id); })) return;
  if (TimedStep(t, r, "RemovePodSandbox" + suffix, [&] { return c.RemovePod(pod_id); })) t.Untrack(pod_id);
}

void HostNetworkPod(Target& t, Results& r) {
  std::string name = UniqueName("bench-hostnet");
  std::string pod_id;
  auto config = t.PodConfig(name, /*host_network=*/true);
  if (!TimedStep(t, r, "RunPodSandbox, host network", [&] { return t.client().RunPod(config, &pod_id); })) return;
  t.Track(pod_id);
  TearDownPod(t, r, pod_id, ", host network");
}

void ContainerSteps(Target& t, Results& r, const std::string& pod_id, const std::string& name,
                    const cri::PodSandboxConfig& pod_config) {
  auto& c = t.client();
  std::string ctr;
  auto config = t.ContainerConfig(name);
  if (!TimedStep(t, r, "CreateContainer", [&] { return c.CreateContainer(pod_id, config, pod_config, &ctr); })) return;
  if (!TimedStep(t, r, "StartContainer", [&] { return c.StartContainer(ctr); })) return;
  cri::ExecSyncResponse exec;
  if (TimedStep(t, r, "ExecSync (true)", [&] { return c.ExecSync(ctr, {"true"}, 30, &exec); }) &&
      exec.exit_code() != 0) {
    r.Error(t.name(), "ExecSync true exited " + std::to_string(exec.exit_code()));
  }
  if (!TimedStep(t, r, "StopContainer (exits on SIGTERM)", [&] { return c.StopContainer(ctr, 10); })) return;
  TimedStep(t, r, "RemoveContainer", [&] { return c.RemoveContainer(ctr); });
}

void BridgePod(Target& t, Results& r) {
  std::string name = UniqueName("bench-cni");
  std::string pod_id;
  auto config = t.PodConfig(name, /*host_network=*/false);
  if (!TimedStep(t, r, "RunPodSandbox, CNI bridge", [&] { return t.client().RunPod(config, &pod_id); })) return;
  t.Track(pod_id);
  ContainerSteps(t, r, pod_id, name, config);
  TearDownPod(t, r, pod_id, ", CNI bridge");
}

}  // namespace

void RunLifecycleRound(Target& t, Results& results) {
  HostNetworkPod(t, results);
  BridgePod(t, results);
}

}  // namespace podagent::bench
