#include "runtime/cni/cni_config.h"

#include <stdlib.h>

#include "gtest/gtest.h"
#include "runtime/common/files.h"
#include "tests/lib/temp_dir_test.h"

namespace podagent {
namespace {

class CniConfigTest : public testing::TempDirTest {
 protected:
  CniConfigTest() : TempDirTest("podagent-cniconf") {}
  void Put(const std::string& name, const std::string& text) {
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/" + name, text).ok());
  }
};

TEST_F(CniConfigTest, FirstInSortedOrderWins) {
  Put("20-b.conflist", R"({"cniVersion":"1.0.0","name":"b","plugins":[{"type":"bridge"}]})");
  Put("10-a.conflist", R"({"cniVersion":"1.0.0","name":"a","plugins":[{"type":"bridge"},{"type":"portmap"}]})");
  Put("README", "not a config");
  auto list = LoadNetworkConfig(dir_);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->name, "a");
  EXPECT_EQ(list->plugins.size(), 2u);
  EXPECT_EQ(list->source, dir_ + "/10-a.conflist");
}

TEST_F(CniConfigTest, ConfIsWrappedAsOnePluginList) {
  Put("05-single.conf", R"({"cniVersion":"0.4.0","name":"single","type":"bridge","bridge":"br9"})");
  auto list = LoadNetworkConfig(dir_);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->name, "single");
  EXPECT_EQ(list->cni_version, "0.4.0");
  ASSERT_EQ(list->plugins.size(), 1u);
  EXPECT_EQ(list->plugins[0]["bridge"], "br9");
  EXPECT_EQ(list->ToJson()["plugins"][0]["type"], "bridge");
}

TEST_F(CniConfigTest, InvalidFilesSkippedAndReported) {
  Put("01-broken.conflist", "{not json");
  Put("02-notype.conflist", R"({"name":"x","plugins":[{"foo":1}]})");
  Put("03-slash.conflist", R"({"name":"x","plugins":[{"type":"../../bin/sh"}]})");
  auto none = LoadNetworkConfig(dir_);
  EXPECT_TRUE(absl::IsNotFound(none.status()));
  EXPECT_NE(none.status().message().find("01-broken.conflist"), std::string::npos) << none.status();
  Put("04-good.conflist", R"({"cniVersion":"1.0.0","name":"good","plugins":[{"type":"bridge"}]})");
  auto good = LoadNetworkConfig(dir_);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->name, "good");
}

TEST_F(CniConfigTest, EmptyOrMissingDirIsNotFound) {
  EXPECT_TRUE(absl::IsNotFound(LoadNetworkConfig(dir_).status()));
  EXPECT_TRUE(absl::IsNotFound(LoadNetworkConfig(dir_ + "/absent").status()));
}

TEST(CniVersion, Compare) {
  EXPECT_TRUE(CniVersionAtLeast("1.0.0", 0, 4));
  EXPECT_TRUE(CniVersionAtLeast("0.4.0", 0, 4));
  EXPECT_FALSE(CniVersionAtLeast("0.3.1", 0, 4));
  EXPECT_FALSE(CniVersionAtLeast("garbage", 0, 1));
}

}  // namespace
}  // namespace podagent
