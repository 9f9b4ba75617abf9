#include "runtime/container/process_args.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace podagent {
namespace {

using ::testing::ElementsAre;

TEST(MergeCommandTest, CommandGivenIgnoresImageEntrypointAndCmd) {
  auto c = MergeCommand({"/bin/sh"}, {"-c", "true"}, {"/entry"}, {"img-cmd"});
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(*c, ElementsAre("/bin/sh", "-c", "true"));
}

TEST(MergeCommandTest, CommandGivenWithoutArgsDropsImageCmd) {
  auto c = MergeCommand({"/bin/sh"}, {}, {"/entry"}, {"img-cmd"});
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(*c, ElementsAre("/bin/sh"));
}

TEST(MergeCommandTest, ArgsOnlyReplaceImageCmdAfterEntrypoint) {
  auto c = MergeCommand({}, {"a", "b"}, {"/entry", "-x"}, {"img-cmd"});
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(*c, ElementsAre("/entry", "-x", "a", "b"));
}

TEST(MergeCommandTest, NothingGivenUsesEntrypointAndCmd) {
  auto c = MergeCommand({}, {}, {"/entry"}, {"img-cmd", "x"});
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(*c, ElementsAre("/entry", "img-cmd", "x"));
}

TEST(MergeCommandTest, EmptyStringEntrypointMeansNone) {
  auto c = MergeCommand({}, {}, {""}, {"sh"});
  ASSERT_TRUE(c.ok());
  EXPECT_THAT(*c, ElementsAre("sh"));
}

TEST(MergeCommandTest, NoCommandAnywhereIsInvalidArgument) {
  auto c = MergeCommand({}, {}, {}, {});
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(c.status().message()), ::testing::HasSubstr("no command"));
}

TEST(MergeEnvTest, CriOverridesInPlaceAndAppends) {
  auto e = MergeEnv({"PATH=/bin", "A=1", "B=2"}, {"B=3", "C=4"});
  EXPECT_THAT(e, ElementsAre("PATH=/bin", "A=1", "B=3", "C=4"));
}

TEST(MergeEnvTest, AddsDefaultPathWhenMissing) {
  auto e = MergeEnv({}, {"A=1"});
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0], std::string("PATH=") + kDefaultPath);
}

TEST(MergeEnvTest, ValueMayContainEquals) {
  auto e = MergeEnv({"X=a=b"}, {"X=c=d"});
  EXPECT_THAT(e, ::testing::Contains("X=c=d"));
  EXPECT_THAT(e, ::testing::Not(::testing::Contains("X=a=b")));
}

}  // namespace
}  // namespace podagent
