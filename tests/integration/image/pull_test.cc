// ROOT: pulls from Debian's docker-registry on 127.0.0.1 into a real image store (unpacking as
// root keeps ownership). Covers tag/digest pulls, no re-transfer, basic auth, mirrors, tampered
// blobs, a registry dying mid-pull, concurrent pulls, import and removal.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <thread>

#include "runtime/common/files.h"
#include "runtime/image/image_store.h"
#include "runtime/image/importer.h"
#include "runtime/image/puller.h"
#include "tests/integration/image/oci_layout.h"
#include "tests/fixtures/image/layer_builder.h"
#include "tests/fixtures/image/temp_dir.h"
#include "tests/fixtures/image/test_registry.h"
#include "tests/lib/test_registry.h"

namespace podagent {
namespace {

using imagetest::TempDir;
using imagetest::TestRegistry;

std::vector<std::string> Names(const std::string& dir) {
  auto r = ListDir(dir);
  if (!r.ok()) return {"<" + std::string(r.status().message()) + ">"};
  return *r;
}

class PullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "ROOT_ tests need root";
    store_ = std::make_unique<ImageStore>(root_ / "root");
    auto problems = store_->Init();
    ASSERT_TRUE(problems.ok()) << problems.status();
  }
  std::unique_ptr<TestRegistry> StartRegistry(const std::string& auth = "") {
    auto r = TestRegistry::Start(root_ / "registry", auth);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return nullptr;
    auto pushed = (*r)->Push(testing::BusyboxLayout(), "busybox:latest");
    EXPECT_TRUE(pushed.ok()) << pushed;
    return std::move(*r);
  }
  ImageReference Ref(const std::string& s) {
    auto r = ParseImageReference(s);
    EXPECT_TRUE(r.ok()) << r.status();
    return *r;
  }
  PullOptions Options() {
    PullOptions o;
    o.registry.timeout_seconds = 10;
    o.registry.retries = 1;
    o.registry.retry_backoff_ms = 10;
    return o;
  }
  void ExpectStoreClean() {
    EXPECT_TRUE(Names(store_->content().dir() + "/tmp").empty()) << "partial blobs left behind";
    for (const auto& n : Names(store_->layers_dir())) {
      EXPECT_NE(n.rfind(".tmp-", 0), 0u) << "unfinished layer dir " << n;
    }
  }
  // The manifest of the busybox layout the registry serves.
  absl::StatusOr<Manifest> BusyboxManifest() {
    auto index = ReadFile(testing::BusyboxLayout() + "/index.json");
    if (!index.ok()) return index.status();
    auto idx = ParseIndex(*index);
    if (!idx.ok()) return idx.status();
    auto body = ReadFile(testing::BusyboxLayout() + "/blobs/sha256/" + idx->manifests[0].digest.substr(7));
    if (!body.ok()) return body.status();
    return ParseManifest(*body);
  }
  // A layout with one big incompressible layer, to be interrupted mid-transfer.
  std::string BigLayout() {
    std::string rootfs = root_ / "bigrootfs", layout = root_ / "biglayout";
    EXPECT_TRUE(MakeDirs(rootfs).ok());
    EXPECT_TRUE(imagetest::Run("head -c 48000000 /dev/urandom > " + rootfs + "/blob").ok());
    auto r = imagetest::Run(imagetest::SourceDir() + "/hack/oci-image-from-rootfs.sh " + rootfs + " " + layout +
                          " big:1 --compress none");
    EXPECT_TRUE(r.ok()) << r.status();
    return layout;
  }

  TempDir root_{"podagent-pull"};
  std::unique_ptr<ImageStore> store_;
};

TEST_F(PullTest, ROOT_PullByTagThenByDigest) {
  auto reg = StartRegistry();
  ASSERT_TRUE(reg);
  auto ref = Ref(reg->addr() + "/busybox:latest");
  auto rec = PullImage(*store_, ref, Options());
  ASSERT_TRUE(rec.ok()) << rec.status();
  EXPECT_EQ(rec->repo_tags, std::vector<std::string>{reg->addr() + "/busybox:latest"});
  ASSERT_EQ(rec->repo_digests.size(), 1u);
  EXPECT_EQ(rec->config.cmd, std::vector<std::string>{"sh"});
  ASSERT_EQ(rec->layers.size(), 1u);
  std::string layer = store_->LayerDir(rec->layers[0].diff_id);
  EXPECT_TRUE(PathExists(layer + "/bin/busybox"));
  EXPECT_TRUE(PathExists(layer + "/etc/passwd"));
  EXPECT_LT(layer.size(), store_->layers_dir().size() + 14) << "layer dirs must stay short";

  std::string digest_ref = rec->repo_digests[0];
  auto by_digest = PullImage(*store_, Ref(digest_ref), Options());
  ASSERT_TRUE(by_digest.ok()) << by_digest.status();
  EXPECT_EQ(by_digest->id, rec->id);
  EXPECT_EQ(store_->Find(digest_ref)->id, rec->id);
  EXPECT_EQ(store_->Find(reg->addr() + "/busybox")->id, rec->id);
  EXPECT_EQ(store_->Find(rec->id.substr(7, 12))->id, rec->id);
  EXPECT_EQ(store_->List().size(), 1u);
  ExpectStoreClean();
}

TEST_F(PullTest, ROOT_SecondPullTransfersNoBlob) {
  auto reg = StartRegistry();
  ASSERT_TRUE(reg);
  auto ref = Ref(reg->addr() + "/busybox:latest");
  ASSERT_TRUE(PullImage(*store_, ref, Options()).ok());
  int gets = reg->BlobGets();
  int64_t fetches = store_->content().fetch_count();
  EXPECT_EQ(gets, 2) << "config and one layer";
  auto again = PullImage(*store_, ref, Options());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(reg->BlobGets(), gets) << "the second pull fetched a blob";
  EXPECT_EQ(store_->content().fetch_count(), fetches);
}

TEST_F(PullTest, ROOT_ConcurrentPullsFetchEachBlobOnce) {
  auto reg = StartRegistry();
  ASSERT_TRUE(reg);
  auto ref = Ref(reg->addr() + "/busybox:latest");
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto r = PullImage(*store_, ref, Options());
      if (r.ok()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 4);
  EXPECT_EQ(reg->BlobGets(), 2) << "each blob must be downloaded once";
  EXPECT_EQ(store_->content().fetch_count(), 2);
}

TEST_F(PullTest, ROOT_BasicAuthNeedsCredentials) {
  auto reg = StartRegistry("alice:wonderland");
  ASSERT_TRUE(reg);
  auto ref = Ref(reg->addr() + "/busybox:latest");
  auto anon = PullImage(*store_, ref, Options());
  ASSERT_FALSE(anon.ok());
  EXPECT_EQ(anon.status().code(), absl::StatusCode::kUnauthenticated) << anon.status();
  EXPECT_NE(anon.status().message().find(reg->addr()), std::string::npos) << anon.status();
  EXPECT_NE(anon.status().message().find("no credentials"), std::string::npos) << anon.status();

  PullOptions wrong = Options();
  wrong.auth.username = "alice";
  wrong.auth.password = "nope";
  auto bad = PullImage(*store_, ref, wrong);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kUnauthenticated) << bad.status();
  EXPECT_EQ(bad.status().message().find("nope"), std::string::npos) << "password leaked into an error";

  PullOptions good = Options();
  good.auth.auth = "YWxpY2U6d29uZGVybGFuZA==";  // base64("alice:wonderland")
  auto rec = PullImage(*store_, ref, good);
  ASSERT_TRUE(rec.ok()) << rec.status();
  EXPECT_TRUE(store_->Find(reg->addr() + "/busybox:latest").ok());
}

TEST_F(PullTest, ROOT_MirrorServesAnotherRegistrysName) {
  auto reg = StartRegistry();
  ASSERT_TRUE(reg);
  PullOptions o = Options();
  o.registry.mirrors["registry.k8s.io"] = {"http://" + reg->addr()};
  auto rec = PullImage(*store_, Ref("registry.k8s.io/busybox:latest"), o);
  ASSERT_TRUE(rec.ok()) << rec.status();
  EXPECT_EQ(rec->repo_tags, std::vector<std::string>{"registry.k8s.io/busybox:latest"});
  EXPECT_TRUE(store_->Find("registry.k8s.io/busybox:latest").ok());
}

TEST_F(PullTest, ROOT_TamperedBlobIsRefusedAndNotStored) {
  auto reg = StartRegistry();
  ASSERT_TRUE(reg);
  auto ref = Ref(reg->addr() + "/busybox:latest");
  // Find the layer digest from the layout's manifest and corrupt the registry's copy.
  auto manifest = BusyboxManifest();
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  std::string layer_digest = manifest->layers[0].digest;
  std::string data_path = reg->BlobDataPath(layer_digest);
  auto original = ReadFile(data_path);
  ASSERT_TRUE(original.ok()) << original.status();
  std::string tampered = *original;
  tampered[tampered.size() / 2] ^= 0x55;
  ASSERT_TRUE(WriteFileAtomic(data_path, tampered).ok());

  auto rec = PullImage(*store_, ref, Options());
  ASSERT_FALSE(rec.ok());
  EXPECT_EQ(rec.status().code(), absl::StatusCode::kDataLoss) << rec.status();
  EXPECT_NE(rec.status().message().find(layer_digest), std::string::npos) << rec.status();
  EXPECT_FALSE(store_->content().Has(layer_digest));
  EXPECT_TRUE(store_->List().empty());
  ExpectStoreClean();

  ASSERT_TRUE(WriteFileAtomic(data_path, *original).ok());
  auto retry = PullImage(*store_, ref, Options());
  EXPECT_TRUE(retry.ok()) << retry.status();
}

TEST_F(PullTest, ROOT_RegistryStoppedMidPullThenRetrySucceeds) {
  auto reg = StartRegistry();
  ASSERT_TRUE(reg);
  ASSERT_TRUE(reg->Push(BigLayout(), "big:1").ok());
  auto ref = Ref(reg->addr() + "/big:1");
  PullOptions o = Options();
  std::atomic<bool> stopped{false};
  o.progress = [&](const std::string&, int64_t received, int64_t total) {
    if (total > 1000000 && received > 0 && !stopped.exchange(true)) reg->Stop();
  };
  auto rec = PullImage(*store_, ref, o);
  ASSERT_TRUE(stopped.load()) << "the big layer never started";
  ASSERT_FALSE(rec.ok()) << "pull succeeded although the registry was stopped mid-transfer";
  EXPECT_EQ(rec.status().code(), absl::StatusCode::kUnavailable) << rec.status();
  EXPECT_NE(rec.status().message().find(reg->addr()), std::string::npos) << rec.status();
  EXPECT_NE(rec.status().message().find("blob sha256:"), std::string::npos) << rec.status();
  EXPECT_NE(rec.status().message().find("attempts"), std::string::npos) << rec.status();
  EXPECT_TRUE(store_->List().empty());
  ExpectStoreClean();

  ASSERT_TRUE(reg->Restart().ok());
  auto retry = PullImage(*store_, ref, Options());
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(ReadFile(store_->LayerDir(retry->layers[0].diff_id) + "/blob")->size(), 48000000u);
}

// Blobs are not fsynced: a crash may leave one renamed into place but cut short. A pull that finds
// such a config or layer blob "present" drops it and fetches it again instead of failing forever.
TEST_F(PullTest, ROOT_BlobsCutShortByACrashAreFetchedAgain) {
  auto reg = StartRegistry();
  ASSERT_TRUE(reg);
  auto ref = Ref(reg->addr() + "/busybox:latest");
  auto manifest = BusyboxManifest();
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  for (const std::string& d : {manifest->config.digest, manifest->layers[0].digest}) {
    ASSERT_TRUE(WriteFileAtomic(store_->content().BlobPath(d), "cut short").ok());
    ASSERT_TRUE(store_->content().Has(d));
  }
  auto rec = PullImage(*store_, ref, Options());
  ASSERT_TRUE(rec.ok()) << rec.status();
  EXPECT_EQ(reg->BlobGets(), 2) << "the torn config and layer were not fetched again";
  for (const std::string& d : {manifest->config.digest, manifest->layers[0].digest}) {
    auto body = ReadFile(store_->content().BlobPath(d));
    ASSERT_TRUE(body.ok()) << body.status();
    EXPECT_EQ(Sha256Digest(*body), d);
  }
  EXPECT_TRUE(PathExists(store_->LayerDir(rec->layers[0].diff_id) + "/bin/busybox"));
  ExpectStoreClean();
}

// Layers unpack while the next blobs are fetched (LayerUnpacks, two at a time): six layers land
// in the record in the manifest's order, each with its own content; and when two in the middle
// lie about their diff_id, the pull fails with the first liar's error, after every unpack it
// started has ended: no record for it, no unfinished layer dir, no blob of the liars kept.
TEST_F(PullTest, ROOT_ManyLayersLandInOrderAndALyingOneFailsThePull) {
  auto reg = StartRegistry();
  ASSERT_TRUE(reg);
  auto make = [&](const std::string& prefix) {
    std::vector<imagetest::TestLayer> layers;
    for (int i = 0; i < 6; ++i) {
      std::string name = absl::StrCat(prefix, i);
      layers.push_back(imagetest::PlainLayer(
          imagetest::LayerBuilder().File(name, std::string(300000 + i, static_cast<char>('a' + i))).Finish()));
    }
    return layers;
  };
  std::vector<imagetest::TestLayer> good = make("good"), bad = make("bad");
  bad[2].diff_id = Sha256Digest("not layer 2");
  bad[4].diff_id = Sha256Digest("not layer 4");
  ASSERT_TRUE(imagetest::WriteOciLayout(root_ / "good", good).ok());
  ASSERT_TRUE(imagetest::WriteOciLayout(root_ / "bad", bad).ok());
  ASSERT_TRUE(reg->Push(root_ / "good", "many:good").ok());
  ASSERT_TRUE(reg->Push(root_ / "bad", "many:bad").ok());

  auto rec = PullImage(*store_, Ref(reg->addr() + "/many:good"), Options());
  ASSERT_TRUE(rec.ok()) << rec.status();
  ASSERT_EQ(rec->layers.size(), good.size());
  for (size_t i = 0; i < good.size(); ++i) {
    EXPECT_EQ(rec->layers[i].diff_id, good[i].diff_id) << i;
    auto body = ReadFile(store_->LayerDir(good[i].diff_id) + absl::StrCat("/good", i));
    ASSERT_TRUE(body.ok()) << i << ": " << body.status();
    EXPECT_EQ(*body, std::string(300000 + i, static_cast<char>('a' + i))) << i;
  }

  auto failed = PullImage(*store_, Ref(reg->addr() + "/many:bad"), Options());
  ASSERT_FALSE(failed.ok()) << "an image whose layers lie about their diff_id was stored";
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kDataLoss) << failed.status();
  EXPECT_NE(failed.status().message().find(Sha256Digest(bad[2].blob)), std::string::npos) << failed.status();
  EXPECT_NE(failed.status().message().find(bad[2].diff_id), std::string::npos) << failed.status();
  EXPECT_EQ(store_->List().size(), 1u);
  EXPECT_FALSE(store_->content().Has(Sha256Digest(bad[2].blob)));
  EXPECT_FALSE(store_->content().Has(Sha256Digest(bad[4].blob)));
  ExpectStoreClean();
}

TEST_F(PullTest, ROOT_UnknownImageIsNotFound) {
  auto reg = StartRegistry();
  ASSERT_TRUE(reg);
  auto rec = PullImage(*store_, Ref(reg->addr() + "/nothing:here"), Options());
  ASSERT_FALSE(rec.ok());
  EXPECT_EQ(rec.status().code(), absl::StatusCode::kNotFound) << rec.status();
}

TEST_F(PullTest, ROOT_ImportLayoutDirAndTarThenRemove) {
  auto recs = ImportImages(*store_, testing::BusyboxLayout());
  ASSERT_TRUE(recs.ok()) << recs.status();
  ASSERT_EQ(recs->size(), 1u);
  EXPECT_EQ((*recs)[0].repo_tags, std::vector<std::string>{"docker.io/library/busybox:latest"});
  std::string tar = root_ / "bb.tar";
  ASSERT_TRUE(imagetest::Run("tar -C " + testing::BusyboxLayout() + " -cf " + tar + " .").ok());
  auto from_tar = ImportImages(*store_, tar, "example.com/bb:v1");
  ASSERT_TRUE(from_tar.ok()) << from_tar.status();
  EXPECT_EQ((*from_tar)[0].id, (*recs)[0].id);
  auto rec = store_->Find("example.com/bb:v1");
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->repo_tags.size(), 2u);
  std::string layer = store_->LayerDir(rec->layers[0].diff_id);

  // In use by a container: hidden, but layers stay until it is unused.
  ASSERT_TRUE(store_->Remove(rec->id, {rec->id}).ok());
  EXPECT_FALSE(store_->Find(rec->id).ok());
  EXPECT_TRUE(PathExists(layer));
  ASSERT_TRUE(store_->CollectGarbage({}).ok());
  EXPECT_FALSE(PathExists(layer));
  EXPECT_TRUE(store_->content().List().empty());
  EXPECT_TRUE(store_->Remove(rec->id, {}).ok()) << "removal is idempotent";

  // Records survive a restart of the store.
  ASSERT_TRUE(ImportImages(*store_, testing::BusyboxLayout()).ok());
  ImageStore reopened(root_ / "root");
  ASSERT_TRUE(reopened.Init().ok());
  EXPECT_TRUE(reopened.Find("busybox").ok());
}

}  // namespace
}  // namespace podagent
