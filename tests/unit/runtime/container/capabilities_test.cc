#include "runtime/container/capabilities.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace podagent {
namespace {

using ::testing::Contains;
using ::testing::Not;

TEST(CapabilitiesTest, DefaultSetIsKubernetesDefault) {
  auto c = ComputeCapabilities({}, {}, false);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->size(), 14u);
  EXPECT_THAT(*c, Contains("CAP_NET_BIND_SERVICE"));
  EXPECT_THAT(*c, Not(Contains("CAP_SYS_ADMIN")));
  EXPECT_THAT(*c, Not(Contains("CAP_NET_ADMIN")));
}

TEST(CapabilitiesTest, AddAndDropAcceptBothSpellings) {
  auto c = ComputeCapabilities({"NET_ADMIN", "cap_sys_time"}, {"CAP_CHOWN", "kill"}, false);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(*c, Contains("CAP_NET_ADMIN"));
  EXPECT_THAT(*c, Contains("CAP_SYS_TIME"));
  EXPECT_THAT(*c, Not(Contains("CAP_CHOWN")));
  EXPECT_THAT(*c, Not(Contains("CAP_KILL")));
}

TEST(CapabilitiesTest, DropAllThenAdd) {
  auto c = ComputeCapabilities({"NET_BIND_SERVICE"}, {"ALL"}, false);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, std::vector<std::string>{"CAP_NET_BIND_SERVICE"});
}

TEST(CapabilitiesTest, AddAllThenDrop) {
  auto c = ComputeCapabilities({"ALL"}, {"SYS_ADMIN"}, false);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->size(), AllCapabilities().size() - 1);
  EXPECT_THAT(*c, Not(Contains("CAP_SYS_ADMIN")));
}

TEST(CapabilitiesTest, PrivilegedGetsEverything) {
  auto c = ComputeCapabilities({}, {"ALL"}, true);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c, AllCapabilities());
  EXPECT_THAT(*c, Contains("CAP_SYS_ADMIN"));
}

TEST(CapabilitiesTest, UnknownCapabilityIsInvalidArgument) {
  auto c = ComputeCapabilities({"CAP_FLY"}, {}, false);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(c.status().message()), ::testing::HasSubstr("CAP_FLY"));
}

}  // namespace
}  // namespace podagent
