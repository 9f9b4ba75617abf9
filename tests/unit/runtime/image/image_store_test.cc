#include "runtime/image/image_store.h"

#include <gtest/gtest.h>

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "runtime/common/files.h"
#include "runtime/common/unique_fd.h"
#include "runtime/image/temp_owner.h"
#include "tests/fixtures/image/layer_builder.h"
#include "tests/fixtures/image/temp_dir.h"

namespace podagent {
namespace {

using imagetest::LayerBuilder;
using imagetest::TempDir;

std::string D(char c) { return "sha256:" + std::string(64, c); }

// Names moved into a watched trash/ so far, without the reaper's ".<id>" suffix.
std::set<std::string> MovedIntoTrash(int watch_fd) {
  std::set<std::string> moved;
  alignas(struct inotify_event) char buf[8192];
  ssize_t n = ::read(watch_fd, buf, sizeof buf);
  for (ssize_t off = 0; off < n;) {
    auto* ev = reinterpret_cast<struct inotify_event*>(buf + off);
    std::string name = ev->len > 0 ? ev->name : "";
    moved.insert(name.substr(0, name.find('.')));
    off += static_cast<ssize_t>(sizeof(struct inotify_event) + ev->len);
  }
  return moved;
}

class ImageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<ImageStore>(tmp_.path());
    ASSERT_TRUE(store_->Init().ok());
  }
  // A layer (an uncompressed tar holding one file) unpacked into the store.
  LayerRef MakeLayer(const std::string& content) {
    std::string tar = LayerBuilder().File("f", content).Finish();
    LayerRef ref{Sha256Digest(tar), media::kOciLayer, static_cast<int64_t>(tar.size()), Sha256Digest(tar)};
    EXPECT_TRUE(store_->content().Put(ref.digest, tar).ok());
    absl::Status st = store_->EnsureLayer(ref);
    EXPECT_TRUE(st.ok()) << st;
    return ref;
  }
  // An image whose blobs and unpacked layers exist.
  ImageRecord Make(const std::string& config_data, std::vector<std::string> layer_data,
                   std::vector<std::string> tags) {
    ImageRecord r;
    r.id = Sha256Digest(config_data);
    EXPECT_TRUE(store_->content().Put(r.id, config_data).ok());
    r.manifest_digest = Sha256Digest("manifest" + config_data);
    EXPECT_TRUE(store_->content().Put(r.manifest_digest, "manifest" + config_data).ok());
    for (const auto& l : layer_data) r.layers.push_back(MakeLayer(l));
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
  EXPECT_TRUE(ListDir(tmp_ / "images/layers")->empty()) << "index entries of deleted layers remain";
}

// RemoveImage does not wait for the unlink walk: an unused layer leaves l/ at once and the
// store's reaper deletes it from <root>/trash; a tree a crash left there goes at the next Init.
TEST_F(ImageStoreTest, RemovedLayersAreDeletedOffTheRequestPath) {
  ImageRecord a = Make("config-a", {"only-a"}, {"docker.io/library/a:1"});
  std::string layer = store_->LayerDir(a.layers[0].diff_id);
  ASSERT_TRUE(PathExists(layer));
  // The kernel says where the tree went: moved into trash/ (then deleted there), not unlinked here.
  UniqueFd watch(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  ASSERT_TRUE(watch) << strerror(errno);
  ASSERT_GE(::inotify_add_watch(watch.Get(), (tmp_ / "trash").c_str(), IN_MOVED_TO), 0) << strerror(errno);
  ASSERT_TRUE(store_->Remove(a.id, {}).ok());
  EXPECT_FALSE(PathExists(layer));
  std::string short_id = layer.substr(layer.find_last_of('/') + 1);
  EXPECT_TRUE(MovedIntoTrash(watch.Get()).count(short_id)) << "the layer tree was not moved into trash/";
  ASSERT_TRUE(store_->WaitLayersDeleted(absl::Seconds(30)));
  auto trash = ListDir(tmp_ / "trash");
  ASSERT_TRUE(trash.ok()) << trash.status();
  EXPECT_TRUE(trash->empty());

  store_.reset();
  ASSERT_TRUE(MakeDirs(tmp_ / "trash/7.left-by-a-crash/usr/bin").ok());
  ASSERT_TRUE(WriteFileAtomic(tmp_ / "trash/7.left-by-a-crash/usr/bin/sh", "x").ok());
  store_ = std::make_unique<ImageStore>(tmp_.path());
  ASSERT_TRUE(store_->Init().ok());
  ASSERT_TRUE(store_->WaitLayersDeleted(absl::Seconds(30)));
  EXPECT_TRUE(ListDir(tmp_ / "trash")->empty());
}

// Unused blobs leave the content store at once too, renamed into trash/ and unlinked there.
TEST_F(ImageStoreTest, RemovedBlobsAreDeletedOffTheRequestPath) {
  ImageRecord a = Make("config-a", {"only-a"}, {"docker.io/library/a:1"});
  std::string layer_blob = a.layers[0].digest;
  UniqueFd watch(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  ASSERT_TRUE(watch) << strerror(errno);
  ASSERT_GE(::inotify_add_watch(watch.Get(), (tmp_ / "trash").c_str(), IN_MOVED_TO), 0) << strerror(errno);
  ASSERT_TRUE(store_->Remove(a.id, {}).ok());
  EXPECT_FALSE(store_->content().Has(layer_blob));
  std::set<std::string> moved = MovedIntoTrash(watch.Get());
  for (const std::string& d : {a.id, a.manifest_digest, layer_blob}) {
    EXPECT_TRUE(moved.count(d.substr(7))) << d << " was not moved into trash/";
  }
  ASSERT_TRUE(store_->WaitLayersDeleted(absl::Seconds(30)));
  EXPECT_TRUE(ListDir(tmp_ / "trash")->empty());
  EXPECT_TRUE(store_->content().List().empty());
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

// `podagent image import` runs beside the daemon on one store: Init must not delete what a live
// process is writing (its temp names carry its pid and start time), only what a dead one left.
TEST_F(ImageStoreTest, InitKeepsALiveProcessesTempsAndDropsADeadOnes) {
  std::string mine = store_->layers_dir() + "/" + OwnedTempName(".tmp-");
  std::string import_mine = tmp_ / ("images/" + OwnedTempName(ImageStore::kImportTempPrefix));
  std::string blob_mine = tmp_ / ("images/blobs/tmp/" + OwnedTempName("blob-"));
  // pid 1 lives, but did not start at that tick: a reused pid is not the owner.
  std::string dead = store_->layers_dir() + "/.tmp-1.999999999999-7";
  std::string import_dead = tmp_ / "images/.tmp-import-1.999999999999-7";
  std::string blob_dead = tmp_ / "images/blobs/tmp/blob-1.999999999999-7";
  for (const auto& d : {mine, import_mine, dead, import_dead}) ASSERT_TRUE(MakeDirs(d + "/x").ok());
  for (const auto& f : {blob_mine, blob_dead}) ASSERT_TRUE(WriteFileAtomic(f, "partial").ok());
  ImageStore again(tmp_.path());
  ASSERT_TRUE(again.Init().ok());
  EXPECT_TRUE(PathExists(mine + "/x")) << "a live process's layer unpack was deleted";
  EXPECT_TRUE(PathExists(import_mine + "/x")) << "a live import's archive dir was deleted";
  EXPECT_TRUE(PathExists(blob_mine)) << "a live process's blob download was deleted";
  EXPECT_FALSE(PathExists(dead));
  EXPECT_FALSE(PathExists(import_dead));
  EXPECT_FALSE(PathExists(blob_dead));
}

// Layer directories are numbered; which layer a number holds is in the index, by the whole
// diff_id. Two diff_ids sharing a long prefix get different directories and never each other's.
TEST_F(ImageStoreTest, LayersAreKeyedByTheWholeDiffId) {
  LayerRef a = MakeLayer("a");
  LayerRef b = MakeLayer("b");
  std::string dir_a = store_->LayerDir(a.diff_id), dir_b = store_->LayerDir(b.diff_id);
  ASSERT_FALSE(dir_a.empty());
  ASSERT_NE(dir_a, dir_b);
  EXPECT_EQ(*ReadFile(dir_a + "/f"), "a");
  EXPECT_EQ(*ReadFile(dir_b + "/f"), "b");
  EXPECT_LT(dir_a.size(), store_->layers_dir().size() + 8) << "layer dirs must stay short";
  // A directory named like the older layout's prefix of an unknown diff_id is not trusted.
  std::string forged = "sha256:" + a.diff_id.substr(7, 12) + std::string(52, '0');
  EXPECT_TRUE(MakeDirs(store_->layers_dir() + "/" + forged.substr(7, 12)).ok());
  EXPECT_FALSE(store_->HasLayer(forged));
  EXPECT_EQ(store_->LayerDir(forged), "");
}

TEST_F(ImageStoreTest, StoreDirectoriesArePrivate) {
  for (const std::string& d : {tmp_.path(), tmp_ / "images", store_->layers_dir()}) {
    struct stat st;
    ASSERT_EQ(::stat(d.c_str(), &st), 0) << d;
    EXPECT_EQ(st.st_mode & 07777, 0700u) << d << " is reachable by host users";
  }
  // An older store with a looser l/ is tightened at Init.
  ASSERT_EQ(::chmod(store_->layers_dir().c_str(), 0711), 0);
  ImageStore again(tmp_.path());
  ASSERT_TRUE(again.Init().ok());
  struct stat st;
  ASSERT_EQ(::stat(store_->layers_dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}

// A store of the older layout (l/<12 hex of diff_id>) is migrated: the directory is adopted for
// the one recorded diff_id with that prefix and renamed to a numbered one; a prefix that two
// recorded diff_ids share is not adopted.
TEST_F(ImageStoreTest, OldLayoutIsMigrated) {
  ImageRecord a = Make("config-a", {"la"}, {"docker.io/library/a:1"});
  const std::string diff_id = a.layers[0].diff_id;
  std::string old_dir = store_->layers_dir() + "/" + diff_id.substr(7, 12);
  // Turn the store back into the older layout by hand.
  ASSERT_EQ(::rename(store_->LayerDir(diff_id).c_str(), old_dir.c_str()), 0);
  ASSERT_TRUE(RemoveTree(tmp_ / "images/layers").ok());
  ImageStore again(tmp_.path());
  ASSERT_TRUE(again.Init().ok());
  ASSERT_TRUE(again.HasLayer(diff_id));
  EXPECT_FALSE(PathExists(old_dir));
  EXPECT_EQ(*ReadFile(again.LayerDir(diff_id) + "/f"), "la");
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
