#include "runtime/image/image_store.h"

#include <gtest/gtest.h>

#include "runtime/common/files.h"
#include "tests/fixtures/image/temp_dir.h"

namespace podagent {
namespace {

using imagetest::TempDir;

std::string D(char c) { return "sha256:" + std::string(64, c); }

class ImageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<ImageStore>(tmp_.path());
    ASSERT_TRUE(store_->Init().ok());
  }
  // An image whose blobs and unpacked layers exist (made by hand: no unpacking here).
  ImageRecord Make(const std::string& config_data, std::vector<std::string> layer_data,
                   std::vector<std::string> tags) {
    ImageRecord r;
    r.id = Sha256Digest(config_data);
    EXPECT_TRUE(store_->content().Put(r.id, config_data).ok());
    r.manifest_digest = Sha256Digest("manifest" + config_data);
    EXPECT_TRUE(store_->content().Put(r.manifest_digest, "manifest" + config_data).ok());
    for (const auto& l : layer_data) {
      LayerRef ref{Sha256Digest(l), media::kOciLayer, static_cast<int64_t>(l.size()), Sha256Digest("diff" + l)};
      EXPECT_TRUE(store_->content().Put(ref.digest, l).ok());
      EXPECT_TRUE(MakeDirs(store_->LayerDir(ref.diff_id)).ok());
      r.layers.push_back(ref);
    }
    r.repo_tags = std::move(tags);
    auto c = store_->Commit(r);
    EXPECT_TRUE(c.ok()) << c.status();
    return *c;
  }

  TempDir tmp_{"podagent-imgstore"};
  std::unique_ptr<ImageStore> store_;
};

TEST_F(ImageStoreTest, SharedLayersLiveUntilTheLastImageGoes) {
  ImageRecord a = Make("config-a", {"base", "a-top"}, {"docker.io/library/a:1"});
  ImageRecord b = Make("config-b", {"base", "b-top"}, {"docker.io/library/b:1"});
  std::string base = store_->LayerDir(a.layers[0].diff_id);
  std::string a_top = store_->LayerDir(a.layers[1].diff_id);
  ASSERT_TRUE(store_->Remove(a.id, {}).ok());
  EXPECT_TRUE(PathExists(base)) << "layer shared with b removed";
  EXPECT_FALSE(PathExists(a_top));
  EXPECT_FALSE(store_->content().Has(a.id));
  EXPECT_TRUE(store_->content().Has(a.layers[0].digest));
  ASSERT_TRUE(store_->Remove(b.id, {}).ok());
  EXPECT_FALSE(PathExists(base));
  EXPECT_TRUE(store_->content().List().empty());
  EXPECT_TRUE(ListDir(store_->layers_dir())->empty());
}

TEST_F(ImageStoreTest, InUseImageIsHiddenButKept) {
  ImageRecord a = Make("config-a", {"la"}, {"docker.io/library/a:1"});
  std::string dir = store_->LayerDir(a.layers[0].diff_id);
  ASSERT_TRUE(store_->Remove(a.id, {a.id}).ok());
  EXPECT_FALSE(store_->Find("a:1").ok());
  EXPECT_TRUE(store_->List().empty());
  EXPECT_TRUE(PathExists(dir));
  // Still hidden and kept after a restart.
  ImageStore reopened(tmp_.path());
  ASSERT_TRUE(reopened.Init().ok());
  EXPECT_TRUE(reopened.List().empty());
  ASSERT_TRUE(reopened.CollectGarbage({a.id}).ok());
  EXPECT_TRUE(PathExists(dir));
  ASSERT_TRUE(reopened.CollectGarbage({}).ok());
  EXPECT_FALSE(PathExists(dir));
}

TEST_F(ImageStoreTest, LeasesProtectInFlightPulls) {
  ASSERT_TRUE(store_->content().Put(Sha256Digest("pending"), "pending").ok());
  {
    ImageStore::Lease lease(*store_, {Sha256Digest("pending")});
    ASSERT_TRUE(store_->CollectGarbage({}).ok());
    EXPECT_TRUE(store_->content().Has(Sha256Digest("pending")));
  }
  ASSERT_TRUE(store_->CollectGarbage({}).ok());
  EXPECT_FALSE(store_->content().Has(Sha256Digest("pending")));
}

TEST_F(ImageStoreTest, TagsMoveAndLookupsWork) {
  ImageRecord a = Make("config-a", {"la"}, {"docker.io/library/app:latest"});
  ImageRecord b = Make("config-b", {"lb"}, {"docker.io/library/app:latest"});
  EXPECT_EQ(store_->Find("app")->id, b.id);
  EXPECT_TRUE(store_->Find(a.id)->repo_tags.empty());
  EXPECT_EQ(store_->Find(a.id.substr(7))->id, a.id);
  EXPECT_EQ(store_->Find(a.id.substr(0, 15))->id, a.id);
  EXPECT_EQ(store_->Find("docker.io/library/app:latest")->id, b.id);
  EXPECT_EQ(store_->Find("nope:1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Remove(D('9'), {}).code(), absl::StatusCode::kOk) << "idempotent";
}

TEST_F(ImageStoreTest, InitDropsUnfinishedLayers) {
  ASSERT_TRUE(MakeDirs(store_->layers_dir() + "/.tmp-abc-1/x").ok());
  ImageStore again(tmp_.path());
  ASSERT_TRUE(again.Init().ok());
  EXPECT_FALSE(PathExists(store_->layers_dir() + "/.tmp-abc-1"));
}

TEST_F(ImageStoreTest, RecordRoundTrip) {
  ImageRecord a = Make("config-a", {"la"}, {"docker.io/library/a:1"});
  a.config.entrypoint = {"/bin/sh"};
  a.config.labels = {{"k", "v"}};
  auto back = ImageRecord::FromJson(a.ToJson());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->ToJson(), a.ToJson());
  EXPECT_FALSE(ImageRecord::FromJson(nlohmann::json{{"id", "x"}}).ok());
  EXPECT_FALSE(ImageRecord::FromJson(nlohmann::json::array()).ok());
}

}  // namespace
}  // namespace podagent
