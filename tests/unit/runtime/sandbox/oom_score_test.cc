#include "runtime/process/oom_score.h"

#include "gtest/gtest.h"

namespace podagent {
namespace {

TEST(OomScore, ClampPolicyUsesOwnValue) {
  auto d = DecideOomScoreAdj(-998, 0, false, "clamp");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->value, 0);
  EXPECT_TRUE(d->clamped);
}

TEST(OomScore, RaisingIsAlwaysFine) {
  auto d = DecideOomScoreAdj(500, 0, false, "fail");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->value, 500);
  EXPECT_FALSE(d->clamped);
}

TEST(OomScore, FailPolicyAndCapability) {
  EXPECT_TRUE(absl::IsFailedPrecondition(DecideOomScoreAdj(-998, 0, false, "fail").status()));
  auto d = DecideOomScoreAdj(-998, 0, true, "fail");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->value, -998);
}

TEST(OomScore, BadInput) {
  EXPECT_TRUE(absl::IsInvalidArgument(DecideOomScoreAdj(-1001, 0, true, "clamp").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(DecideOomScoreAdj(0, 0, true, "maybe").status()));
}

TEST(OomScore, ReadsOwn) {
  auto own = ReadOomScoreAdj(0);
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_GE(*own, -1000);
  EXPECT_LE(*own, 1000);
}

}  // namespace
}  // namespace podagent
