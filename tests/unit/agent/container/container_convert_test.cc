#include "agent/container/container_convert.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace podagent {
namespace {

ContainerRecord Rec() {
  ContainerRecord r;
  r.id = "abc123" + std::string(58, '0');
  r.pod_id = "pod999" + std::string(58, '1');
  r.name = "web";
  r.state = CtrState::kExited;
  r.exit_code = 137;
  r.reason = "OOMKilled";
  r.labels = {{"app", "web"}, {"tier", "front"}};
  r.pid = 42;
  r.cgroup_path = "/podagent/podx/abc";
  r.resources.memory_limit = 10 << 20;
  return r;
}

TEST(ContainerFilterTest, EveryCriFilter) {
  ContainerRecord r = Rec();
  cri::ContainerFilter f;
  EXPECT_TRUE(MatchesFilter(r, f));
  f.set_id("abc1");
  EXPECT_TRUE(MatchesFilter(r, f));
  f.set_id("abd");
  EXPECT_FALSE(MatchesFilter(r, f));
  f.Clear();
  f.mutable_state()->set_state(cri::CONTAINER_EXITED);
  EXPECT_TRUE(MatchesFilter(r, f));
  f.mutable_state()->set_state(cri::CONTAINER_RUNNING);
  EXPECT_FALSE(MatchesFilter(r, f));
  f.Clear();
  f.set_pod_sandbox_id("pod9");
  EXPECT_TRUE(MatchesFilter(r, f));
  f.set_pod_sandbox_id("pod8");
  EXPECT_FALSE(MatchesFilter(r, f));
  f.Clear();
  (*f.mutable_label_selector())["app"] = "web";
  EXPECT_TRUE(MatchesFilter(r, f));
  (*f.mutable_label_selector())["tier"] = "back";
  EXPECT_FALSE(MatchesFilter(r, f));
}

TEST(ContainerStatusTest, StatusAndVerboseInfo) {
  cri::ContainerStatus s;
  FillContainerStatus(Rec(), &s);
  EXPECT_EQ(s.state(), cri::CONTAINER_EXITED);
  EXPECT_EQ(s.exit_code(), 137);
  EXPECT_EQ(s.reason(), "OOMKilled");
  EXPECT_EQ(s.resources().linux().memory_limit_in_bytes(), 10 << 20);
  nlohmann::json info = nlohmann::json::parse(VerboseInfo(Rec()));
  EXPECT_EQ(info["pid"], 42);
  EXPECT_EQ(info["cgroupPath"], "/podagent/podx/abc");
}

TEST(ContainerRecordTest, JsonRoundTrip) {
  ContainerRecord r = Rec();
  r.mounts = {{"/src", "/dst", true, Propagation::kRShared}};
  r.resources.cpu_shares = 2;
  r.resources.unified = {{"memory.high", "5M"}};
  auto back = ContainerRecordFromJson(ToJson(r));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(ToJson(*back), ToJson(r));
  EXPECT_EQ(ContainerRecordFromJson(nlohmann::json::parse(R"({"id": 1})")).status().code(),
            absl::StatusCode::kDataLoss);
}

// StartContainer makes a lost cgroup again from the record: its device rules must survive it.
TEST(ContainerRecordTest, JsonKeepsDeviceRulesAndOomGroup) {
  ContainerRecord r = Rec();
  r.resources.devices = std::vector<DeviceRule>{{'c', 1, 3, "rwm"}, {'b', 8, -1, "r"}};
  r.resources.memory_oom_group = true;
  auto back = ContainerRecordFromJson(ToJson(r));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_TRUE(back->resources.devices.has_value());
  ASSERT_EQ(back->resources.devices->size(), 2u);
  const DeviceRule& b = (*back->resources.devices)[1];
  EXPECT_EQ(b.type, 'b');
  EXPECT_EQ(b.major, 8);
  EXPECT_EQ(b.minor, -1);
  EXPECT_EQ(b.access, "r");
  EXPECT_EQ(back->resources.memory_oom_group, true);
  // A record without them (an older podagent's) has none: not an empty deny-all list.
  EXPECT_FALSE(ContainerRecordFromJson(ToJson(Rec()))->resources.devices.has_value());
}

}  // namespace
}  // namespace podagent
