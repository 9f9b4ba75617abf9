#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/shim/cri_log.h"
#include "runtime/shim/rootfs.h"

namespace podagent::shim {
namespace {

TEST(CriLogTest, TimeIsRfc3339NanoUtc) {
  EXPECT_EQ(FormatLogTime(1'000'000'000LL * 1700000000 + 5), "2023-11-14T22:13:20.000000005Z");
  EXPECT_EQ(FormatLogEntry(0, Stream::kStderr, true, "x"), "1970-01-01T00:00:00.000000000Z stderr P x\n");
}

TEST(OverlayOptionsTest, LowestFirstBecomesTopFirst) {
  auto o = BuildOverlayOptions({"/l/1", "/l/2", "/l/3"}, "/u", "/w");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->data, "lowerdir=/l/3:/l/2:/l/1,upperdir=/u,workdir=/w");
  EXPECT_EQ(o->chdir_to, "");
}

TEST(OverlayOptionsTest, TooLongForAPageUsesRelativePaths) {
  std::vector<std::string> lowers;
  std::string base = "/var/lib/podagent/some/long/directory/for/unpacked/layers";
  for (int i = 0; i < 80; ++i) lowers.push_back(base + "/sha256-layer-number-" + std::to_string(i));
  auto o = BuildOverlayOptions(lowers, "/u", "/w");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->chdir_to, base);
  EXPECT_LE(o->data.size(), 4095u);
  EXPECT_THAT(o->data, ::testing::StartsWith("lowerdir=sha256-layer-number-79:"));
}

TEST(OverlayOptionsTest, HopelesslyLongIsInvalidArgument) {
  std::vector<std::string> lowers;
  for (int i = 0; i < 500; ++i) lowers.push_back("/a" + std::to_string(i) + "/some-long-layer-directory-name");
  auto o = BuildOverlayOptions(lowers, "/u", "/w");
  EXPECT_EQ(o.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(o.status().message()), ::testing::HasSubstr("one page"));
}

}  // namespace
}  // namespace podagent::shim
