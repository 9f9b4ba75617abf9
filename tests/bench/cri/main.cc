// podagent-cri-bench: CRI latency, density and memory of one runtime, or of two side by side
// with alternating rounds (see README.md). Needs root (it reads other processes' memory and
// removes its cgroup parents). Exit status 1 when any step failed, 2 on bad flags.
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "runtime/common/files.h"
#include "tests/bench/cri/bench_target.h"
#include "tests/bench/cri/cni_bound.h"
#include "tests/bench/cri/image_bench.h"
#include "tests/bench/cri/lifecycle_bench.h"
#include "tests/bench/cri/options.h"
#include "tests/bench/cri/results.h"
#include "tests/bench/cri/scale_bench.h"
#include "tests/bench/cri/stop_signal.h"
#include "tests/lib/temp_dir.h"

namespace podagent::bench {
namespace {

using Targets = std::vector<std::unique_ptr<Target>>;

std::string Trimmed(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return "<" + text.status().ToString() + ">";
  std::string s = *text;
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

nlohmann::json Machine() {
  utsname u{};
  ::uname(&u);
  std::string mem = Trimmed("/proc/meminfo");
  return {{"kernel", u.release}, {"cpus", std::thread::hardware_concurrency()},
          {"meminfo_first_line", mem.substr(0, mem.find('\n'))}, {"loadavg_start", Trimmed("/proc/loadavg")}};
}

// Runs `step(target)` on every target, the first one first in even rounds and last in odd ones.
template <typename F>
void Alternate(Targets& targets, int round, F&& step) {
  for (size_t i = 0; i < targets.size(); ++i) {
    size_t k = round % 2 == 0 ? i : targets.size() - 1 - i;
    step(*targets[k]);
  }
}

void MeasureIdle(Targets& targets, Results& r) {
  for (auto& t : targets) {
    auto pid = t->DaemonPid();
    auto mem = pid.ok() ? DaemonMemory(*pid) : absl::StatusOr<Memory>(pid.status());
    if (!mem.ok()) {
      r.Error(t->name(), "idle daemon memory: " + mem.status().ToString());
      continue;
    }
    r.Add("idle daemon RSS", "MiB", t->name(), mem->rss_kib / 1024);
    r.Add("idle daemon PSS", "MiB", t->name(), mem->pss_kib / 1024);
  }
}

nlohmann::json Versions(Targets& targets, Results& r) {
  nlohmann::json j = nlohmann::json::object();
  for (auto& t : targets) {
    cri::VersionResponse v;
    grpc::Status st = t->client().Version(&v);
    if (!st.ok()) r.Error(t->name(), "Version: " + st.error_message());
    j[t->name()] = v.runtime_name() + " " + v.runtime_version();
  }
  return j;
}

// The pods' files and the image rows' layers are deleted in bulk, and this VM's ext4 has no
// journal: there the inode allocator skips inodes deleted less than 60 s ago (300 s while their
// table block is dirty), which slows every file created soon after. Between the groups of rows,
// a sync and `--settle` seconds of rest keep one group's aftermath out of the next one's figures.
void Settle(const Options& o) {
  if (o.settle_seconds <= 0) return;
  ::sync();
  for (int s = 0; s < o.settle_seconds && !StopRequested(); ++s) std::this_thread::sleep_for(std::chrono::seconds(1));
}

void PullSmallImage(const Options& o, Targets& targets, Results& r) {
  for (auto& t : targets) {
    std::string ref;
    grpc::Status st = t->client().PullImage(o.small_image, &ref);
    if (!st.ok()) r.Error(t->name(), "pull " + o.small_image + ": " + st.error_message());
  }
}

// Idle memory, the lifecycle rows, the image rows, then the K pods (the teardown of 500 leaves
// the machine loaded for minutes: nothing is measured after it).
void Run(const Options& o, const CniBoundOptions& bound, Targets& targets, Results& r) {
  MeasureIdle(targets, r);
  PullSmallImage(o, targets, r);
  Results warmup({});  // one untimed round each: first-use costs (CNI bridge creation) stay out
  for (auto& t : targets) RunLifecycleRound(*t, warmup);
  for (size_t i = 0; i < warmup.ErrorCount(); ++i) r.Error("warmup", "see above");
  for (int round = 0; round < o.rounds && !StopRequested(); ++round) {
    Alternate(targets, round, [&](Target& t) { RunLifecycleRound(t, r); });
    if (!o.cni_conflist.empty()) RunCniBoundRound(bound, r);  // under the same load as the round
  }
  Settle(o);
  for (int round = 0; round < o.rounds && !StopRequested(); ++round) {
    Alternate(targets, round, [&](Target& t) {
      RunImageRound(t, r, "small image", o.small_image);
      if (!o.large_image.empty()) RunImageRound(t, r, "multi-layer image", o.large_image);
    });
  }
  PullSmallImage(o, targets, r);  // the image rows removed it; the pods run it
  Settle(o);
  for (size_t i = 0; i < o.pods.size() && !StopRequested(); ++i) {
    ScaleOptions so{o.pods[i], o.clients, o.list_rounds};
    if (so.pods <= kMaxHostNetworkPods) {  // the runtimes' own share of the K rows, before them
      ScaleOptions host = so;
      host.host_network = true;
      Alternate(targets, static_cast<int>(i), [&](Target& t) { RunScale(t, r, host); });
    }
    Alternate(targets, static_cast<int>(i), [&](Target& t) { RunScale(t, r, so); });
    bool bound_rows = !o.cni_conflist.empty() && !StopRequested();
    if (bound_rows) RunCniBoundScale(bound, so.pods, so.clients, r);  // the K rows' bound
  }
}

int Main(int argc, char** argv) {
  auto options = ParseOptions(argc, argv);
  if (!options.ok()) {
    bool help = absl::IsNotFound(options.status());
    std::fprintf(stderr, "%s%s", std::string(options.status().message()).c_str(), help ? "" : "\n");
    if (!help) std::fprintf(stderr, "%s", kUsage);
    return help ? 0 : 2;
  }
  if (::geteuid() != 0) {
    std::fprintf(stderr, "podagent-cri-bench: needs root (reads the runtimes' /proc/PID/smaps_rollup)\n");
    return 2;
  }
  WatchStopSignals();
  const Options& o = *options;
  testing::TempDir logs("podagent-cri-bench");
  std::vector<std::string> names = {o.name};
  if (!o.peer_endpoint.empty()) names.push_back(o.peer_name);
  Results results(names);
  nlohmann::json extra;
  {
    Targets targets;
    targets.push_back(std::make_unique<Target>(
        TargetOptions{o.name, o.endpoint, o.metrics_url, logs.Sub(o.name), o.small_image}));
    if (!o.peer_endpoint.empty()) {
      targets.push_back(std::make_unique<Target>(
          TargetOptions{o.peer_name, o.peer_endpoint, o.peer_metrics_url, logs.Sub(o.peer_name), o.small_image}));
    }
    for (auto& t : targets) (void)MakeDirs(t->options().log_dir);
    extra["machine"] = Machine();
    extra["versions"] = Versions(targets, results);
    extra["config"] = {{"rounds", o.rounds}, {"pods", o.pods}, {"clients", o.clients},
                       {"list_rounds", o.list_rounds}, {"settle_seconds", o.settle_seconds}, {"small_image", o.small_image},
                       {"large_image", o.large_image}, {"cni_conflist", o.cni_conflist}};
    CniBoundOptions bound{o.cni_conflist, o.cni_bin_dirs, logs.Sub("netns"), o.name};
    Run(o, bound, targets, results);
    if (StopRequested()) results.Error("podagent-cri-bench", "stopped by a signal before the end");
    CleanUpCniBound(bound);
    extra["machine"]["loadavg_end"] = Trimmed("/proc/loadavg");
  }  // targets remove what they still own
  std::printf("%s", results.Table().c_str());
  nlohmann::json j = results.Json(extra);
  if (!o.json_path.empty()) {
    absl::Status st = Results::WriteJson(o.json_path, j);
    if (!st.ok()) {
      std::fprintf(stderr, "podagent-cri-bench: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  std::printf("load average at start %s, at end %s; %zu errors\n",
              j["machine"]["loadavg_start"].get<std::string>().c_str(),
              j["machine"]["loadavg_end"].get<std::string>().c_str(), results.ErrorCount());
  return results.ErrorCount() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace podagent::bench

int main(int argc, char** argv) { return podagent::bench::Main(argc, argv); }
