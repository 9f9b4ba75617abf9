#include "agent/sandbox/pod_view.h"

#include "gtest/gtest.h"

namespace podagent {
namespace {

PodRecord Record(const std::string& id, std::map<std::string, std::string> labels) {
  PodRecord r;
  r.id = id;
  r.name = "n";
  r.namespace_ = "ns";
  r.uid = "u";
  r.attempt = 1;
  r.labels = std::move(labels);
  r.annotations = {{"a", "b"}};
  r.runtime_handler = "runc";
  r.created_at_ns = 42;
  r.cgroup_path = "/podagent/pod" + id;
  r.netns_path = "/run/podagent/netns/" + id;
  r.pause = {777, 1};
  r.ips = {"10.88.0.9", "fd00::9"};
  r.pid_mode = NsMode::kContainer;
  r.state = PodState::kReady;
  return r;
}

TEST(PodView, StatusCarriesEverything) {
  cri::PodSandboxStatus s;
  FillPodSandboxStatus(Record("abc", {{"app", "x"}}), true, &s);
  EXPECT_EQ(s.id(), "abc");
  EXPECT_EQ(s.metadata().name(), "n");
  EXPECT_EQ(s.metadata().attempt(), 1u);
  EXPECT_EQ(s.state(), cri::SANDBOX_READY);
  EXPECT_EQ(s.created_at(), 42);
  EXPECT_EQ(s.network().ip(), "10.88.0.9");
  ASSERT_EQ(s.network().additional_ips_size(), 1);
  EXPECT_EQ(s.network().additional_ips(0).ip(), "fd00::9");
  EXPECT_EQ(s.linux().namespaces().options().pid(), cri::CONTAINER);
  EXPECT_EQ(s.labels().at("app"), "x");
  EXPECT_EQ(s.annotations().at("a"), "b");
  EXPECT_EQ(s.runtime_handler(), "runc");
  cri::PodSandboxStatus dead;
  FillPodSandboxStatus(Record("abc", {}), false, &dead);
  EXPECT_EQ(dead.state(), cri::SANDBOX_NOTREADY);
}

TEST(PodView, VerboseInfoHasPidCgroupAndNetns) {
  nlohmann::json info = VerboseInfo(Record("abc", {}), true);
  EXPECT_EQ(info["pid"], 777);
  EXPECT_EQ(info["cgroupPath"], "/podagent/podabc");
  EXPECT_EQ(info["netnsPath"], "/run/podagent/netns/abc");
  EXPECT_EQ(VerboseInfo(Record("abc", {}), false)["pid"], 0) << "no pid once pause is gone";
}

TEST(PodView, Filters) {
  PodRecord a = Record("abc123", {{"app", "web"}, {"tier", "front"}});
  cri::PodSandboxFilter f;
  EXPECT_TRUE(MatchesFilter(a, true, f));
  f.set_id("abc");
  EXPECT_TRUE(MatchesFilter(a, true, f));
  f.set_id("abd");
  EXPECT_FALSE(MatchesFilter(a, true, f));
  f.clear_id();
  f.mutable_state()->set_state(cri::SANDBOX_NOTREADY);
  EXPECT_FALSE(MatchesFilter(a, true, f));
  EXPECT_TRUE(MatchesFilter(a, false, f));
  f.clear_state();
  (*f.mutable_label_selector())["app"] = "web";
  EXPECT_TRUE(MatchesFilter(a, true, f));
  (*f.mutable_label_selector())["tier"] = "back";
  EXPECT_FALSE(MatchesFilter(a, true, f));
  (*f.mutable_label_selector())["tier"] = "front";
  (*f.mutable_label_selector())["missing"] = "x";
  EXPECT_FALSE(MatchesFilter(a, true, f));
}

}  // namespace
}  // namespace podagent
