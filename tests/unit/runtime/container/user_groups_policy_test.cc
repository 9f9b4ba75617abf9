// SupplementalGroupsPolicy as critest checks it with its image-predefined-group image: the
// primary gid always heads the list setgroups(2) gets; Merge adds the image's /etc/group
// memberships, Strict does not.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/container/user_resolve.h"

namespace podagent {
namespace {

using ::testing::ElementsAre;

const char kPasswd[] = "root:x:0:0:root:/root:/bin/sh\n"
                       "default-user:x:1000:1000:Linux User,,,:/home/default-user:/bin/sh\n";
const char kGroup[] = "root:x:0:\n"
                      "default-user:x:1000:\n"
                      "group-defined-in-image:x:50000:default-user\n";

TEST(UserGroupsPolicyTest, MergeAddsImageGroupsAndSupplementalToThePrimary) {
  UserRequest r;
  r.run_as_user = 1000;
  r.supplemental_groups = {1234};
  auto u = ResolveUser(r, kPasswd, kGroup);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->uid, 1000u);
  EXPECT_EQ(u->gid, 1000u);
  EXPECT_THAT(u->additional_gids, ElementsAre(1000u, 50000u, 1234u));
}

TEST(UserGroupsPolicyTest, StrictLeavesTheImageGroupsOut) {
  UserRequest r;
  r.run_as_user = 1000;
  r.supplemental_groups = {1234};
  r.strict_groups = true;
  auto u = ResolveUser(r, kPasswd, kGroup);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->gid, 1000u);
  EXPECT_THAT(u->additional_gids, ElementsAre(1000u, 1234u));
}

TEST(UserGroupsPolicyTest, NoDuplicates) {
  UserRequest r;
  r.run_as_user = 1000;
  r.supplemental_groups = {1000, 50000, 1234, 1234};
  auto u = ResolveUser(r, kPasswd, kGroup);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_THAT(u->additional_gids, ElementsAre(1000u, 50000u, 1234u));
}

}  // namespace
}  // namespace podagent
