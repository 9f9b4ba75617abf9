#include "runtime/container/user_resolve.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace podagent {
namespace {

using ::testing::ElementsAre;

const char kPasswd[] =
    "root:x:0:0:root:/root:/bin/sh\n"
    "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    "app:x:1000:1001:App:/home/app:/bin/sh\n"
    "broken line\n";
const char kGroup[] =
    "root:x:0:\n"
    "daemon:x:1:\n"
    "appgrp:x:1001:\n"
    "audio:x:29:app,other\n"
    "video:x:44:app\n";

TEST(ResolveUserTest, DefaultIsRoot) {
  auto u = ResolveUser({}, kPasswd, kGroup);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->uid, 0u);
  EXPECT_EQ(u->gid, 0u);
  EXPECT_EQ(u->home, "/root");
}

TEST(ResolveUserTest, ImageUserByNameTakesPrimaryGroupAndMemberships) {
  UserRequest r;
  r.image_user = "app";
  auto u = ResolveUser(r, kPasswd, kGroup);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->uid, 1000u);
  EXPECT_EQ(u->gid, 1001u);
  EXPECT_EQ(u->home, "/home/app");
  EXPECT_THAT(u->additional_gids, ElementsAre(1001u, 29u, 44u));
}

TEST(ResolveUserTest, ImageUserWithGroupName) {
  UserRequest r;
  r.image_user = "app:audio";
  auto u = ResolveUser(r, kPasswd, kGroup);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->gid, 29u);
}

TEST(ResolveUserTest, NumericImageUserNotInPasswd) {
  UserRequest r;
  r.image_user = "4242:77";
  auto u = ResolveUser(r, kPasswd, kGroup);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->uid, 4242u);
  EXPECT_EQ(u->gid, 77u);
  EXPECT_EQ(u->home, "/");
}

TEST(ResolveUserTest, RunAsUserOverridesImageUser) {
  UserRequest r;
  r.image_user = "app";
  r.run_as_user = 1;
  auto u = ResolveUser(r, kPasswd, kGroup);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->uid, 1u);
  EXPECT_EQ(u->gid, 1u);
}

TEST(ResolveUserTest, RunAsUsernameAndGroupAndSupplemental) {
  UserRequest r;
  r.run_as_username = "app";
  r.run_as_group = 5;
  r.supplemental_groups = {44, 100};
  auto u = ResolveUser(r, kPasswd, kGroup);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->uid, 1000u);
  EXPECT_EQ(u->gid, 5u);
  EXPECT_THAT(u->additional_gids, ElementsAre(5u, 29u, 44u, 100u));
}

TEST(ResolveUserTest, UnknownNamesAreInvalidArgument) {
  UserRequest r;
  r.run_as_username = "nobody-here";
  EXPECT_EQ(ResolveUser(r, kPasswd, kGroup).status().code(), absl::StatusCode::kInvalidArgument);
  r = {};
  r.image_user = "app:nogroup";
  auto s = ResolveUser(r, kPasswd, kGroup).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("nogroup"));
}

TEST(ResolveUserTest, NegativeIdsRejected) {
  UserRequest r;
  r.run_as_user = -1;
  EXPECT_EQ(ResolveUser(r, kPasswd, kGroup).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ResolveUserTest, NoPasswdFileStillResolvesNumeric) {
  UserRequest r;
  r.run_as_user = 65534;
  auto u = ResolveUser(r, "", "");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->uid, 65534u);
  EXPECT_EQ(u->gid, 0u);
}

}  // namespace
}  // namespace podagent
