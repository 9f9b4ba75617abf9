#include "runtime/image/reference.h"

#include <gtest/gtest.h>

namespace podagent {
namespace {

ImageReference MustParse(const std::string& s) {
  auto r = ParseImageReference(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status();
  return r.ok() ? *r : ImageReference{};
}

TEST(ImageReference, DockerHubShortNameGetsLibraryAndLatest) {
  auto r = MustParse("busybox");
  EXPECT_EQ(r.domain, "docker.io");
  EXPECT_EQ(r.path, "library/busybox");
  EXPECT_EQ(r.tag, "latest");
  EXPECT_EQ(r.digest, "");
  EXPECT_EQ(r.String(), "docker.io/library/busybox:latest");
}

TEST(ImageReference, DockerHubUserRepo) {
  EXPECT_EQ(MustParse("user/app:1.0").String(), "docker.io/user/app:1.0");
  EXPECT_EQ(MustParse("index.docker.io/library/nginx").String(), "docker.io/library/nginx:latest");
  EXPECT_EQ(MustParse("docker.io/nginx").String(), "docker.io/library/nginx:latest");
}

TEST(ImageReference, RegistryWithPort) {
  auto r = MustParse("127.0.0.1:5000/busybox");
  EXPECT_EQ(r.domain, "127.0.0.1:5000");
  EXPECT_EQ(r.path, "busybox");
  EXPECT_EQ(r.tag, "latest");
  EXPECT_EQ(MustParse("localhost/a/b:t").domain, "localhost");
  EXPECT_EQ(MustParse("[::1]:5000/x:y").domain, "[::1]:5000");
  EXPECT_EQ(MustParse("registry.k8s.io/pause:3.10").String(), "registry.k8s.io/pause:3.10");
}

TEST(ImageReference, Digest) {
  const std::string d = "sha256:" + std::string(64, 'a');
  auto r = MustParse("quay.io/x/y@" + d);
  EXPECT_EQ(r.tag, "");
  EXPECT_EQ(r.digest, d);
  EXPECT_EQ(r.Selector(), d);
  EXPECT_EQ(r.String(), "quay.io/x/y@" + d);
  auto both = MustParse("busybox:1@" + d);
  EXPECT_EQ(both.tag, "1");
  EXPECT_EQ(both.Selector(), d);
  EXPECT_EQ(both.DigestRef(d), "docker.io/library/busybox@" + d);
}

TEST(ImageReference, Rejects) {
  for (const char* bad : {"", "UPPER", "a//b", "a/", ":tag", "busybox:", "busybox:-x", "busybox@sha256:abc",
                          "busybox@md5:" "0123456789abcdef0123456789abcdef", "a..b", "a/b_-c", "host:99999999/x",
                          "/abs", "bad host/x"}) {
    auto r = ParseImageReference(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << bad;
      EXPECT_NE(r.status().message().find("invalid image reference"), std::string::npos) << r.status();
    }
  }
}

TEST(ImageReference, ErrorsSayWhy) {
  auto r = ParseImageReference("Busybox");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("lowercase"), std::string::npos) << r.status();
  auto d = ParseImageReference("x@sha256:12");
  EXPECT_NE(d.status().message().find("64 lowercase hex"), std::string::npos) << d.status();
}

TEST(ImageReference, Sha256Digest) {
  EXPECT_TRUE(IsSha256Digest("sha256:" + std::string(64, '0')));
  EXPECT_FALSE(IsSha256Digest("sha256:" + std::string(64, 'A')));
  EXPECT_FALSE(IsSha256Digest("sha256:" + std::string(63, '0')));
  EXPECT_FALSE(IsSha256Digest(std::string(64, '0')));
}

}  // namespace
}  // namespace podagent
