// ROOT: `podagent image import` on untrusted archives and layouts never follows a symlinked
// directory (or file) of the archive into the host's filesystem.
#include <gtest/gtest.h>
#include <unistd.h>

#include "runtime/common/files.h"
#include "runtime/image/image_store.h"
#include "runtime/image/importer.h"
#include "tests/fixtures/image/layer_builder.h"
#include "tests/fixtures/image/temp_dir.h"
#include "tests/integration/image/oci_layout.h"

namespace podagent {
namespace {

using imagetest::LayerBuilder;
using imagetest::TempDir;

class ImportSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "ROOT_ tests need root";
    store_ = std::make_unique<ImageStore>(tmp_ / "root");
    ASSERT_TRUE(store_->Init().ok());
    // A valid layout standing for host files the archive must not reach.
    absl::Status st = imagetest::WriteOciLayout(tmp_ / "host", {imagetest::PlainLayer(LayerBuilder().File("f", "x").Finish())});
    ASSERT_TRUE(st.ok()) << st;
  }
  void ExpectRefused(const absl::StatusOr<std::vector<ImageRecord>>& r) {
    ASSERT_FALSE(r.ok()) << "import followed a symlink of the archive";
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
    EXPECT_NE(r.status().message().find("symlink"), std::string::npos) << r.status();
    EXPECT_TRUE(store_->List().empty());
  }
  TempDir tmp_{"podagent-importsec"};
  std::unique_ptr<ImageStore> store_;
};

TEST_F(ImportSecurityTest, ROOT_LayoutWithSymlinkedBlobsDirIsRefused) {
  std::string layout = tmp_ / "evil";
  ASSERT_TRUE(MakeDirs(layout).ok());
  ASSERT_TRUE(WriteFileAtomic(layout + "/index.json", *ReadFile(tmp_ / "host/index.json")).ok());
  ASSERT_EQ(::symlink((tmp_ / "host/blobs").c_str(), (layout + "/blobs").c_str()), 0);
  ExpectRefused(ImportImages(*store_, layout, "evil:1"));
  // The same layout with real directories imports: the symlink is what was refused.
  auto ok = ImportImages(*store_, tmp_ / "host", "host:1");
  EXPECT_TRUE(ok.ok()) << ok.status();
}

TEST_F(ImportSecurityTest, ROOT_ArchiveWithSymlinkedEntriesIsRefused) {
  std::string index = *ReadFile(tmp_ / "host/index.json");
  std::string tar = LayerBuilder().File("index.json", index).Symlink("blobs", tmp_ / "host/blobs").Finish();
  ASSERT_TRUE(WriteFileAtomic(tmp_ / "evil.tar", tar).ok());
  ExpectRefused(ImportImages(*store_, tmp_ / "evil.tar", "evil:1"));
  std::string tar2 = LayerBuilder().Symlink("index.json", tmp_ / "host/index.json").Finish();
  ASSERT_TRUE(WriteFileAtomic(tmp_ / "evil2.tar", tar2).ok());
  auto r = ImportImages(*store_, tmp_ / "evil2.tar", "evil:2");
  ASSERT_FALSE(r.ok()) << "import read index.json through a symlink";
  EXPECT_TRUE(store_->List().empty());
  // Nothing of the archive is left in the store's images dir.
  auto names = ListDir(tmp_ / "root/images");
  ASSERT_TRUE(names.ok()) << names.status();
  for (const auto& n : *names) EXPECT_NE(n.rfind(".tmp-import-", 0), 0u) << n;
}

}  // namespace
}  // namespace podagent
