#include "agent/image/image_convert.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace podagent {
namespace {

ImageRecord Record(const std::string& user) {
  ImageRecord r;
  r.id = "sha256:" + std::string(64, 'a');
  r.repo_tags = {"docker.io/library/busybox:latest"};
  r.repo_digests = {"docker.io/library/busybox@sha256:" + std::string(64, 'b')};
  r.size = 1234;
  r.pinned = true;
  r.config.user = user;
  r.config.cmd = {"sh"};
  return r;
}

TEST(ImageConvert, CriImageFields) {
  cri::Image img;
  ToCriImage(Record(""), &img);
  EXPECT_EQ(img.id(), "sha256:" + std::string(64, 'a'));
  EXPECT_EQ(img.repo_tags(0), "docker.io/library/busybox:latest");
  EXPECT_EQ(img.repo_digests_size(), 1);
  EXPECT_EQ(img.size(), 1234u);
  EXPECT_TRUE(img.pinned());
  EXPECT_EQ(img.spec().image(), img.id());
  EXPECT_FALSE(img.has_uid()) << "no User in the config: neither uid nor username (as containerd)";
  EXPECT_EQ(img.username(), "");
}

TEST(ImageConvert, UserBecomesUidOrUsername) {
  cri::Image numeric, named, pair;
  ToCriImage(Record("1000"), &numeric);
  EXPECT_EQ(numeric.uid().value(), 1000);
  EXPECT_EQ(numeric.username(), "");
  ToCriImage(Record("1000:50"), &pair);
  EXPECT_EQ(pair.uid().value(), 1000);
  ToCriImage(Record("nobody:nogroup"), &named);
  EXPECT_FALSE(named.has_uid());
  EXPECT_EQ(named.username(), "nobody");
}

TEST(ImageConvert, AuthConfig) {
  cri::AuthConfig a;
  a.set_username("u");
  a.set_password("p");
  a.set_auth("dTpw");
  a.set_identity_token("it");
  a.set_registry_token("rt");
  a.set_server_address("example.com");
  RegistryAuth r = FromCriAuth(a);
  EXPECT_EQ(r.username, "u");
  EXPECT_EQ(r.password, "p");
  EXPECT_EQ(r.auth, "dTpw");
  EXPECT_EQ(r.identity_token, "it");
  EXPECT_EQ(r.registry_token, "rt");
  EXPECT_EQ(r.server_address, "example.com");
  EXPECT_TRUE(FromCriAuth(cri::AuthConfig()).Empty());
}

TEST(ImageConvert, VerboseInfoIsJson) {
  auto j = nlohmann::json::parse(VerboseImageInfo(Record(""), {"/l/abc"}), nullptr, false);
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["record"]["layer_dirs"][0], "/l/abc");
  EXPECT_EQ(j["record"]["config"]["cmd"][0], "sh");
}

}  // namespace
}  // namespace podagent
