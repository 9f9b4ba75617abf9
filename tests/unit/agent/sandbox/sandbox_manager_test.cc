// SandboxManager with recording fakes: ordering, rollback at every step, name reservation,
// idempotency, concurrency, recovery. No root needed.
#include "agent/sandbox/sandbox_manager.h"

#include <stdlib.h>

#include <map>
#include <thread>

#include "absl/strings/match.h"
#include "agent/sandbox/pod_config.h"
#include "fakes.h"
#include "gtest/gtest.h"
#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

class SandboxManagerTest : public ::testing::Test {
 protected:
  testing::TempDir scratch_{"podagent-sbxmgr"};
  void SetUp() override {
    ctx_.config.root_dir = scratch_.path();
    ctx_.config.cgroup_parent = "/podagent";
    ctx_.containers = &containers_;
    Rebuild();
  }
  void TearDown() override {
    manager_.reset();
  }
  // A fresh manager over the same records (a daemon restart), keeping the fakes' world.
  void Rebuild() {
    auto runtime = std::make_unique<FakeRuntime>();
    auto network = std::make_unique<FakeNetwork>();
    if (runtime_) {
      runtime->alive = runtime_->alive;
      runtime->existing = runtime_->existing;
    }
    if (network_) network->attached = network_->attached;
    runtime_ = runtime.get();
    network_ = network.get();
    manager_.reset();
    manager_ = std::make_unique<SandboxManager>(ctx_, std::move(runtime), std::move(network));
  }
  PodRecord Record(const std::string& name, bool host_network = false) {
    PodRecord r;
    r.name = name;
    r.namespace_ = "default";
    r.uid = "uid-" + name;
    r.cgroup_parent = "/podagent";
    r.labels = {{"app", name}};
    if (host_network) r.net_mode = NsMode::kNode;
    return r;
  }
  // Pods a, b, c, d with b stopped and c's pause dead: ready, not, not, ready.
  std::vector<std::string> RunFourStopOneKillOne() {
    std::vector<std::string> ids;
    for (const char* name : {"a", "b", "c", "d"}) {
      auto id = manager_->Run(Record(name), std::nullopt);
      EXPECT_TRUE(id.ok()) << id.status();
      ids.push_back(id.value_or(""));
    }
    EXPECT_TRUE(manager_->Stop(ids[1]).ok());
    runtime_->Kill(ids[2]);
    return ids;
  }
  int Records() {
    auto names = ListDir(ctx_.config.root_dir + "/pods");
    return names.ok() ? static_cast<int>(names->size()) : 0;
  }

  AgentContext ctx_;
  FakeContainers containers_;
  FakeRuntime* runtime_ = nullptr;
  FakeNetwork* network_ = nullptr;
  std::unique_ptr<SandboxManager> manager_;
};

TEST_F(SandboxManagerTest, RunMakesAReadyPodWithIpAndRecord) {
  auto id = manager_->Run(Record("web"), std::nullopt);
  ASSERT_TRUE(id.ok()) << id.status();
  auto v = manager_->Status(*id);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ready);
  EXPECT_EQ(v->record.ips, std::vector<std::string>{"10.88.0.1"});
  EXPECT_EQ(v->record.cgroup_path, "/podagent/pod" + *id);
  EXPECT_EQ(v->record.netns_path, "/fake/netns/" + *id);
  EXPECT_EQ(Records(), 1);
  EXPECT_EQ(runtime_->calls, std::vector<std::string>{"start " + *id});
  EXPECT_EQ(network_->calls, std::vector<std::string>{"add " + *id});
  auto info = manager_->GetPod(id->substr(0, 8));
  ASSERT_TRUE(info.ok()) << "unique prefix";
  EXPECT_EQ(info->pause_pid, v->record.pause.pid);
  EXPECT_EQ(info->pid_ns_path, "/proc/" + std::to_string(v->record.pause.pid) + "/ns/pid");
}

TEST_F(SandboxManagerTest, HostNetworkPodsSkipCni) {
  auto id = manager_->Run(Record("hostnet", true), std::nullopt);
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(network_->calls.empty());
  EXPECT_EQ(manager_->Status(*id)->record.netns_path, "");
  ASSERT_TRUE(manager_->Stop(*id).ok());
  EXPECT_TRUE(network_->calls.empty());
}

TEST_F(SandboxManagerTest, NameIsReservedUntilRemoveAndErrorNamesThePod) {
  auto first = manager_->Run(Record("web"), std::nullopt);
  ASSERT_TRUE(first.ok());
  auto second = manager_->Run(Record("web"), std::nullopt);
  EXPECT_TRUE(absl::IsAlreadyExists(second.status()));
  EXPECT_NE(second.status().message().find(*first), std::string::npos) << second.status();
  PodRecord next_attempt = Record("web");
  next_attempt.attempt = 1;
  EXPECT_TRUE(manager_->Run(next_attempt, std::nullopt).ok()) << "another attempt is another name";
  ASSERT_TRUE(manager_->Stop(*first).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(manager_->Run(Record("web"), std::nullopt).status())) << "stopped still reserves";
  ASSERT_TRUE(manager_->Remove(*first).ok());
  EXPECT_TRUE(manager_->Run(Record("web"), std::nullopt).ok());
}

TEST_F(SandboxManagerTest, PauseFailureLeavesNothing) {
  runtime_->fail_start = absl::InternalError("pause exploded");
  auto id = manager_->Run(Record("web"), std::nullopt);
  EXPECT_FALSE(id.ok());
  EXPECT_TRUE(manager_->List().empty());
  EXPECT_EQ(Records(), 0);
  EXPECT_TRUE(runtime_->existing.empty());
  ASSERT_EQ(runtime_->calls.size(), 2u);
  EXPECT_TRUE(absl::StartsWith(runtime_->calls[1], "remove "));
  runtime_->fail_start = absl::OkStatus();
  EXPECT_TRUE(manager_->Run(Record("web"), std::nullopt).ok()) << "the name was released";
}

TEST_F(SandboxManagerTest, CniFailureRollsBackNetworkAndRuntime) {
  network_->fail_setup = absl::InternalError("cni plugin bridge ADD: no IPs left");
  auto id = manager_->Run(Record("web"), std::nullopt);
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.status().message().find("no IPs left"), std::string::npos);
  ASSERT_EQ(network_->calls.size(), 2u);
  EXPECT_TRUE(absl::StartsWith(network_->calls[1], "del ")) << "a failed ADD is still torn down";
  EXPECT_TRUE(runtime_->existing.empty());
  EXPECT_TRUE(manager_->List().empty());
  EXPECT_EQ(Records(), 0);
}

TEST_F(SandboxManagerTest, StopOrderAndIdempotency) {
  auto id = manager_->Run(Record("web"), std::nullopt);
  ASSERT_TRUE(id.ok());
  runtime_->calls.clear();
  network_->calls.clear();
  ASSERT_TRUE(manager_->Stop(*id).ok());
  EXPECT_EQ(containers_.calls, std::vector<std::string>{"stop-containers " + *id});
  EXPECT_EQ(network_->calls, std::vector<std::string>{"del " + *id});
  EXPECT_EQ(runtime_->calls, std::vector<std::string>{"stop " + *id});
  EXPECT_FALSE(manager_->Status(*id)->ready);
  // Network and state are persisted together by the stop (one record write).
  auto saved = RecordStore(ctx_.config.root_dir).Get("pods", *id);
  ASSERT_TRUE(saved.ok()) << saved.status();
  auto on_disk = PodRecord::FromJson(*saved);
  ASSERT_TRUE(on_disk.ok()) << on_disk.status();
  EXPECT_FALSE(on_disk->network_setup);
  EXPECT_EQ(on_disk->state, PodState::kNotReady);
  ASSERT_TRUE(manager_->Stop(*id).ok());
  EXPECT_EQ(network_->calls.size(), 1u) << "DEL is not repeated once it succeeded";
  EXPECT_TRUE(absl::IsNotFound(manager_->Stop("ffff")));
}

TEST_F(SandboxManagerTest, FailedTeardownIsRetriedByTheNextStop) {
  auto id = manager_->Run(Record("web"), std::nullopt);
  ASSERT_TRUE(id.ok());
  network_->fail_teardown = absl::InternalError("plugin down");
  EXPECT_FALSE(manager_->Stop(*id).ok());
  network_->fail_teardown = absl::OkStatus();
  ASSERT_TRUE(manager_->Stop(*id).ok());
  EXPECT_TRUE(network_->attached.empty());
}

TEST_F(SandboxManagerTest, RemoveCleansEverythingAndIsIdempotent) {
  auto id = manager_->Run(Record("web"), std::nullopt);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(manager_->Remove(*id).ok()) << "remove without stop";
  EXPECT_EQ(containers_.calls.front(), "remove-containers " + *id);
  EXPECT_TRUE(network_->attached.empty());
  EXPECT_TRUE(runtime_->existing.empty());
  EXPECT_EQ(Records(), 0);
  EXPECT_TRUE(absl::IsNotFound(manager_->Status(*id).status()));
  EXPECT_TRUE(manager_->Remove(*id).ok());
}

TEST_F(SandboxManagerTest, DeadPauseMeansNotReady) {
  auto id = manager_->Run(Record("web"), std::nullopt);
  ASSERT_TRUE(id.ok());
  runtime_->Kill(*id);
  EXPECT_FALSE(manager_->Status(*id)->ready);
  EXPECT_FALSE(manager_->List()[0].ready);
}

// List asks the runtime about every ready pod's pause in one call (not a waitid per pod) and
// hands each answer to its own pod: a stopped pod and a dead pause in between shift nothing.
TEST_F(SandboxManagerTest, ListAsksAboutAllPausesAtOnce) {
  std::vector<std::string> ids = RunFourStopOneKillOne();
  ASSERT_FALSE(HasFailure());
  int single_before = runtime_->single_alive_calls;
  int batch_before = runtime_->batch_alive_calls;
  std::map<std::string, bool> ready;
  for (const PodInfo& p : manager_->ListPods()) ready[p.id] = p.ready;
  EXPECT_EQ(runtime_->single_alive_calls - single_before, 0);
  EXPECT_EQ(runtime_->batch_alive_calls - batch_before, 1);
  ASSERT_EQ(ready.size(), ids.size());
  EXPECT_TRUE(ready[ids[0]]);
  EXPECT_FALSE(ready[ids[1]]);
  EXPECT_FALSE(ready[ids[2]]);
  EXPECT_TRUE(ready[ids[3]]);
  for (const std::string& id : ids) EXPECT_EQ(ready[id], manager_->Status(id)->ready) << id;
}

// ForEach asks the runtime about the ready pods' pauses in one call and must hand each answer to
// its own pod (a stopped pod in between shifts nothing), and a record change drops what a listing
// kept of that pod.
TEST_F(SandboxManagerTest, ForEachMatchesStatusAndDropsKeptBytesOnChange) {
  std::vector<std::string> ids = RunFourStopOneKillOne();
  ASSERT_FALSE(HasFailure());
  std::map<std::string, bool> seen;
  manager_->ForEach([&](const PodRecord& r, bool ready, SandboxManager::Listing& kept) {
    seen[r.id] = ready;
    kept = {true, ready, "kept " + r.id};
  });
  ASSERT_EQ(seen.size(), ids.size());
  for (const std::string& id : ids) EXPECT_EQ(seen[id], manager_->Status(id)->ready) << id;
  EXPECT_TRUE(seen[ids[0]]);
  EXPECT_FALSE(seen[ids[1]]);
  EXPECT_FALSE(seen[ids[2]]);
  EXPECT_TRUE(seen[ids[3]]);

  ASSERT_TRUE(manager_->Stop(ids[3]).ok());
  std::map<std::string, bool> made;
  manager_->ForEach([&](const PodRecord& r, bool, SandboxManager::Listing& kept) { made[r.id] = kept.made; });
  EXPECT_TRUE(made[ids[0]]) << "kept across calls";
  EXPECT_FALSE(made[ids[3]]) << "the stop changed the record: its kept bytes must go";
}

TEST_F(SandboxManagerTest, RecoverKeepsStateAndIpsAndMarksDeadPausesNotReady) {
  auto a = manager_->Run(Record("a"), std::nullopt);
  auto b = manager_->Run(Record("b"), std::nullopt);
  auto c = manager_->Run(Record("c"), std::nullopt);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  ASSERT_TRUE(manager_->Stop(*c).ok());
  runtime_->Kill(*b);
  Rebuild();
  ASSERT_TRUE(manager_->Recover().ok());
  EXPECT_EQ(manager_->List().size(), 3u);
  EXPECT_TRUE(manager_->Status(*a)->ready);
  EXPECT_EQ(manager_->Status(*a)->record.ips, std::vector<std::string>{"10.88.0.1"});
  EXPECT_FALSE(manager_->Status(*b)->ready);
  EXPECT_EQ(manager_->Status(*b)->record.state, PodState::kNotReady);
  EXPECT_FALSE(manager_->Status(*c)->ready);
  EXPECT_TRUE(absl::IsAlreadyExists(manager_->Run(Record("a"), std::nullopt).status())) << "names survive restarts";
  ASSERT_TRUE(manager_->Remove(*b).ok());
  EXPECT_EQ(network_->attached.count(*b), 0u) << "the dead pod's IP is released on remove";
}

TEST_F(SandboxManagerTest, RecoverCleansACrashMidRun) {
  // As if podagent died inside RunPodSandbox: the record says creating.
  PodRecord r = Record("crashed");
  r.id = std::string(64, 'c');
  r.cgroup_path = "/podagent/pod" + r.id;
  r.netns_path = "/fake/netns/" + r.id;
  r.state = PodState::kCreating;
  ASSERT_TRUE(RecordStore(ctx_.config.root_dir).Put("pods", r.id, r.ToJson()).ok());
  ASSERT_TRUE(RecordStore(ctx_.config.root_dir).Put("pods", "garbage", nlohmann::json{{"id", 1}}).ok());
  Rebuild();
  ASSERT_TRUE(manager_->Recover().ok()) << "a bad record never stops recovery";
  auto v = manager_->Status(r.id);
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ready);
  EXPECT_EQ(v->record.state, PodState::kNotReady);
  EXPECT_EQ(network_->calls, std::vector<std::string>{"del " + r.id});
  EXPECT_EQ(runtime_->calls, std::vector<std::string>{"remove " + r.id});
}

TEST_F(SandboxManagerTest, ConcurrentRunsOfOneNameOnlyOneWins) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, exists{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto id = manager_->Run(Record("same"), std::nullopt);
      if (id.ok()) ++ok;
      if (absl::IsAlreadyExists(id.status())) ++exists;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(exists.load(), 7);
  EXPECT_EQ(manager_->List().size(), 1u);
}

TEST_F(SandboxManagerTest, ReadsDoNotWaitForCni) {
  auto other = manager_->Run(Record("other"), std::nullopt);
  ASSERT_TRUE(other.ok());
  absl::Notification release;
  network_->block_setup = &release;
  std::thread slow([&] { (void)manager_->Run(Record("slow"), std::nullopt); });
  network_->entered_setup.WaitForNotification();
  // While the slow pod sits in CNI ADD: List, Status and another pod's Stop all complete.
  EXPECT_EQ(manager_->List().size(), 2u);
  EXPECT_TRUE(manager_->Status(*other)->ready);
  bool creating_seen = false;
  for (const PodView& v : manager_->List()) creating_seen |= v.record.state == PodState::kCreating && !v.ready;
  EXPECT_TRUE(creating_seen);
  network_->block_setup = nullptr;
  ASSERT_TRUE(manager_->Stop(*other).ok());
  release.Notify();
  slow.join();
}

TEST_F(SandboxManagerTest, OomScoreAdjClampedNotFailed) {
  ctx_.config.oom_score_adj_policy = "clamp";
  auto id = manager_->Run(Record("web"), -998);
  ASSERT_TRUE(id.ok()) << id.status();
  // Without CAP_SYS_RESOURCE: the daemon's own value (no write needed); with it: -998.
  const auto& spec = runtime_->specs.back();
  if (spec.oom_score_adj) {
    EXPECT_EQ(*spec.oom_score_adj, -998);
  }
  EXPECT_TRUE(absl::IsInvalidArgument(manager_->Run(Record("bad"), 5000).status()));
}

TEST_F(SandboxManagerTest, NetworkConditionFollowsThePlugin) {
  EXPECT_TRUE(manager_->Network().ready);
  network_->ready = absl::NotFoundError("no cni network config in /etc/cni/net.d");
  NetworkCondition c = manager_->Network();
  EXPECT_FALSE(c.ready);
  EXPECT_EQ(c.reason, "NetworkPluginNotReady");
  EXPECT_NE(c.message.find("/etc/cni/net.d"), std::string::npos);
}

}  // namespace
}  // namespace podagent
