// e2e: the real podagent daemon over its socket against Debian's docker-registry on loopback.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "runtime/common/files.h"
#include "tests/fixtures/image/test_registry.h"
#include "tests/lib/test_registry.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/test_daemon.h"

namespace podagent {
namespace {

using imagetest::TestRegistry;
using testing::CriClient;
using testing::TempDir;
using testing::TestDaemon;
namespace cri = ::runtime::v1;

// One registry without auth serves the whole suite (started with the first test that asks); a test
// with `auth` gets its own. Each test has its own daemon, so its pulls start from an empty store.
class ImageE2E : public ::testing::Test {
 protected:
  static void TearDownTestSuite() {
    shared_registry_.reset();
    delete shared_tmp_;
    shared_tmp_ = nullptr;
  }

  static absl::StatusOr<std::unique_ptr<TestRegistry>> StartRegistry(const std::string& dir, const std::string& auth) {
    auto reg = TestRegistry::Start(dir, auth);
    if (!reg.ok()) return reg.status();
    absl::Status pushed = (*reg)->Push(testing::BusyboxLayout(), "busybox:latest");
    if (!pushed.ok()) return pushed;
    return reg;
  }

  void StartAll(const std::string& auth = "") {
    if (!auth.empty()) {
      auto reg = StartRegistry(tmp_.Sub("registry"), auth);
      ASSERT_TRUE(reg.ok()) << reg.status();
      own_registry_ = std::move(*reg);
      registry_ = own_registry_.get();
    } else {
      if (!shared_registry_) {
        shared_tmp_ = new TempDir("podagent-e2e-image-registry");
        auto reg = StartRegistry(shared_tmp_->Sub("registry"), "");
        ASSERT_TRUE(reg.ok()) << reg.status();
        shared_registry_ = std::move(*reg);
      }
      registry_ = shared_registry_.get();
    }
    auto st = daemon_.Start("registry:\n  timeout_seconds: 10\n  retries: 1\n");
    ASSERT_TRUE(st.ok()) << st << "\n" << daemon_.Log();
    client_ = std::make_unique<CriClient>(daemon_.socket());
  }
  grpc::Status Status(const std::string& ref, cri::ImageStatusResponse* out, bool verbose = false) {
    cri::ImageStatusRequest req;
    req.mutable_image()->set_image(ref);
    req.set_verbose(verbose);
    return client_->Call(&cri::ImageService::Stub::ImageStatus, req, out);
  }
  std::vector<cri::Image> List(const std::string& filter = "") {
    cri::ListImagesRequest req;
    if (!filter.empty()) req.mutable_filter()->mutable_image()->set_image(filter);
    cri::ListImagesResponse resp;
    auto st = client_->Call(&cri::ImageService::Stub::ListImages, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return {resp.images().begin(), resp.images().end()};
  }

  static inline TempDir* shared_tmp_ = nullptr;
  static inline std::unique_ptr<TestRegistry> shared_registry_;
  TempDir tmp_{"podagent-e2e-image"};
  std::unique_ptr<TestRegistry> own_registry_;
  TestRegistry* registry_ = nullptr;
  TestDaemon daemon_;
  std::unique_ptr<CriClient> client_;
};

TEST_F(ImageE2E, PullListStatusRemove) {
  StartAll();
  std::string tag = registry_->addr() + "/busybox:latest";
  std::string id;
  int gets_before = registry_->BlobGets();
  ASSERT_GE(gets_before, 0) << "the registry's log is unreadable";
  // Measured before the pull: ImageFsInfo reuses a measurement for 10 s, but never past a pull.
  cri::ImageFsInfoResponse empty_fs;
  ASSERT_TRUE(client_->Call(&cri::ImageService::Stub::ImageFsInfo, cri::ImageFsInfoRequest(), &empty_fs).ok());
  ASSERT_EQ(empty_fs.image_filesystems_size(), 1);
  EXPECT_LT(empty_fs.image_filesystems(0).used_bytes().value(), 1000000u);
  auto st = client_->PullImage(tag, &id);
  ASSERT_TRUE(st.ok()) << st.error_message() << "\n" << daemon_.Log();
  EXPECT_EQ(id.rfind("sha256:", 0), 0u) << id;
  int blob_gets = registry_->BlobGets();
  EXPECT_EQ(blob_gets - gets_before, 2) << "one config and one layer blob";

  auto images = List();
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0].id(), id);
  ASSERT_EQ(images[0].repo_tags_size(), 1);
  EXPECT_EQ(images[0].repo_tags(0), tag);
  ASSERT_EQ(images[0].repo_digests_size(), 1);
  EXPECT_GT(images[0].size(), 500000u);
  EXPECT_EQ(List(tag).size(), 1u);
  EXPECT_EQ(List("nothere:1").size(), 0u);

  cri::ImageStatusResponse status;
  ASSERT_TRUE(Status(tag, &status, true).ok());
  ASSERT_TRUE(status.has_image());
  EXPECT_EQ(status.image().id(), id);
  EXPECT_FALSE(status.image().has_uid()) << "no User in the config";
  auto info = nlohmann::json::parse(status.info().at("info"), nullptr, false);
  ASSERT_TRUE(info.is_object()) << status.info().at("info");
  EXPECT_EQ(info["record"]["config"]["cmd"], nlohmann::json::array({"sh"}));
  std::string layer_dir = info["record"]["layer_dirs"][0].get<std::string>();
  EXPECT_TRUE(PathExists(layer_dir + "/bin/busybox"));
  std::string digest_ref = images[0].repo_digests(0);
  cri::ImageStatusResponse by_digest, by_id;
  ASSERT_TRUE(Status(digest_ref, &by_digest).ok());
  EXPECT_EQ(by_digest.image().id(), id);
  ASSERT_TRUE(Status(id.substr(7, 12), &by_id).ok());
  EXPECT_EQ(by_id.image().id(), id);

  // The same image again, by tag and by digest: no blob crosses the wire.
  std::string again;
  ASSERT_TRUE(client_->PullImage(tag, &again).ok());
  ASSERT_TRUE(client_->PullImage(digest_ref, &again).ok());
  EXPECT_EQ(again, id);
  EXPECT_EQ(registry_->BlobGets(), blob_gets) << "a second pull transferred blobs";

  cri::ImageFsInfoResponse fs;
  ASSERT_TRUE(client_->Call(&cri::ImageService::Stub::ImageFsInfo, cri::ImageFsInfoRequest(), &fs).ok());
  ASSERT_EQ(fs.image_filesystems_size(), 1);
  EXPECT_GT(fs.image_filesystems(0).used_bytes().value(), 1000000u);
  EXPECT_GT(fs.image_filesystems(0).inodes_used().value(), 250u) << "busybox has ~270 applet links";
  EXPECT_EQ(fs.image_filesystems(0).fs_id().mountpoint(), daemon_.root_dir() + "/images");
  ASSERT_EQ(fs.container_filesystems_size(), 1);
  EXPECT_EQ(fs.container_filesystems(0).fs_id().mountpoint(), daemon_.root_dir() + "/containers");

  ASSERT_TRUE(client_->RemoveImage(tag).ok());
  cri::ImageStatusResponse gone;
  ASSERT_TRUE(Status(id, &gone).ok());
  EXPECT_FALSE(gone.has_image());
  EXPECT_TRUE(List().empty());
  EXPECT_FALSE(PathExists(layer_dir)) << "unused layer kept after removal";
  EXPECT_TRUE(client_->RemoveImage(tag).ok()) << "RemoveImage must be idempotent";
  EXPECT_TRUE(client_->RemoveImage(id).ok());

  // Survives a daemon restart.
  ASSERT_TRUE(client_->PullImage(digest_ref, &again).ok());
  daemon_.Kill9();
  ASSERT_TRUE(daemon_.Start().ok()) << daemon_.Log();
  client_ = std::make_unique<CriClient>(daemon_.socket());
  cri::ImageStatusResponse after;
  ASSERT_TRUE(Status(digest_ref, &after).ok());
  EXPECT_EQ(after.image().id(), id);
}

TEST_F(ImageE2E, BasicAuthRegistry) {
  StartAll("bob:builder");
  std::string tag = registry_->addr() + "/busybox:latest";
  std::string id;
  auto anon = client_->PullImage(tag, &id);
  ASSERT_FALSE(anon.ok());
  EXPECT_EQ(anon.error_code(), grpc::StatusCode::UNAUTHENTICATED) << anon.error_message();
  EXPECT_NE(anon.error_message().find(registry_->addr()), std::string::npos) << anon.error_message();
  cri::AuthConfig auth;
  auth.set_username("bob");
  auth.set_password("builder");
  auto st = client_->PullImage(tag, &id, &auth);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(daemon_.Log().find("builder"), std::string::npos) << "the password reached the log";
}

TEST_F(ImageE2E, BadReferenceIsInvalidArgument) {
  StartAll();
  std::string id;
  auto st = client_->PullImage("UPPER/Case", &id);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
  EXPECT_NE(st.error_message().find("invalid image reference"), std::string::npos);
}

TEST_F(ImageE2E, CliImportIsSeenByTheRunningDaemon) {
  StartAll();
  auto out = imagetest::Run(testing::BinDir() + "/podagent --config " + daemon_.config_path() + " image import " +
                            testing::BusyboxLayout() + " example.com/imported:v1");
  ASSERT_TRUE(out.ok()) << out.status();
  cri::ImageStatusResponse status;
  ASSERT_TRUE(Status("example.com/imported:v1", &status).ok());
  ASSERT_TRUE(status.has_image()) << "daemon did not see the imported image";
  auto ls = imagetest::Run(testing::BinDir() + "/podagent --config " + daemon_.config_path() + " image ls");
  ASSERT_TRUE(ls.ok()) << ls.status();
  EXPECT_NE(ls->find("example.com/imported:v1"), std::string::npos) << *ls;
  auto bad = imagetest::Run(testing::BinDir() + "/podagent --config " + daemon_.config_path() + " image import /nonexistent");
  EXPECT_FALSE(bad.ok());
}

}  // namespace
}  // namespace podagent
