// cgroup_driver and the cgroup_parent that must fit it (deploy/podagent.yaml documents both).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/config.h"
#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

using ::testing::HasSubstr;

class ConfigDriverTest : public ::testing::Test {
 protected:
  absl::StatusOr<Config> Load(const std::string& text) {
    path_ = dir_.Sub("podagent.yaml");
    EXPECT_TRUE(WriteFileAtomic(path_, text).ok());
    auto c = LoadConfig(path_, true);
    if (!c.ok()) return c.status();
    absl::Status st = FinishConfig(*c, "/usr/bin");
    if (!st.ok()) return st;
    return c;
  }
  testing::TempDir dir_;
  std::string path_;
};

TEST_F(ConfigDriverTest, DefaultIsCgroupfsUnderPodagent) {
  auto c = Load("log_level: info\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->cgroup_driver, "cgroupfs");
  EXPECT_EQ(c->cgroup_parent, "/podagent");
  EXPECT_EQ(c->ToJson()["cgroup_driver"], "cgroupfs");
}

TEST_F(ConfigDriverTest, SystemdAloneDefaultsToPodagentSlice) {
  auto c = Load("cgroup_driver: systemd\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->cgroup_driver, "systemd");
  EXPECT_EQ(c->cgroup_parent, "podagent.slice");
  c = Load("cgroup_parent: kubepods.slice\ncgroup_driver: systemd\n");  // order does not matter
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->cgroup_parent, "kubepods.slice");
}

TEST_F(ConfigDriverTest, UnknownDriverNamesFileLineAndChoices) {
  auto c = Load("log_level: info\ncgroup_driver: systemdd\n");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(c.status().message()),
            path_ + ":2: key cgroup_driver: \"systemdd\" is not one of cgroupfs, systemd");
}

TEST_F(ConfigDriverTest, ParentMustFitTheDriver) {
  struct Case {
    const char* text;
    const char* says;
  } cases[] = {
      {"cgroup_driver: systemd\ncgroup_parent: /podagent\n", "does not fit cgroup_driver systemd"},
      {"cgroup_driver: systemd\ncgroup_parent: a--b.slice\n", "double dash"},
      {"cgroup_parent: podagent.slice\n", "does not fit cgroup_driver cgroupfs"},
      {"cgroup_parent: relative/dir\n", ":1: key cgroup_parent: \"relative/dir\" is neither an absolute path"},
  };
  for (const auto& k : cases) {
    auto c = Load(k.text);
    ASSERT_FALSE(c.ok()) << k.text;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << k.text;
    EXPECT_THAT(std::string(c.status().message()), HasSubstr(k.says)) << k.text;
  }
}

}  // namespace
}  // namespace podagent
