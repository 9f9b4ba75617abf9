// e2e: hostile images built here (libarchive), pushed to Debian's docker-registry on loopback
// and pulled through PullImage of the real daemon over its socket. Each is refused with a clear
// status, or (set-user-ID bits, a FIFO /etc/passwd) pulled in a harmless form; nothing is ever
// written outside the store, nothing refused is left in it, and the store is private.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "runtime/common/files.h"
#include "runtime/image/digest.h"
#include "tests/fixtures/image/layer_builder.h"
#include "tests/fixtures/image/test_registry.h"
#include "tests/integration/image/oci_layout.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/test_daemon.h"

namespace podagent {
namespace {

using imagetest::LayerBuilder;
using imagetest::TestRegistry;
using testing::CriClient;
using testing::TempDir;
using testing::TestDaemon;
namespace cri = ::runtime::v1;
using nlohmann::json;

constexpr int64_t kMaxLayerBytes = 8 << 20;

using Layer = imagetest::TestLayer;
using imagetest::PlainLayer;

class HostileImageE2E : public ::testing::Test {
 protected:
  // One registry for the suite (docker-registry's start is most of a test's time under TCG); each
  // test pushes its own names and has its own daemon, so nothing carries over between tests.
  static void SetUpTestSuite() {
    registry_dir_ = std::make_unique<TempDir>("podagent-e2e-hostile-registry");
    auto reg = TestRegistry::Start(registry_dir_->Sub("registry"));
    registry_status_ = reg.status();
    if (reg.ok()) registry_ = std::move(*reg);
  }
  static void TearDownTestSuite() {
    registry_.reset();
    registry_dir_.reset();
  }

  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "e2e image tests run the daemon as root";
    ASSERT_TRUE(registry_status_.ok()) << "registry: " << registry_status_;
    outside_ = tmp_.Sub("outside");
    ASSERT_TRUE(MakeDirs(outside_).ok());
    ASSERT_TRUE(WriteFileAtomic(outside_ + "/sentinel", "original").ok());
    auto st = daemon_.Start(absl::StrCat("registry:\n  timeout_seconds: 10\n  retries: 1\n",
                                         "images:\n  max_layer_bytes: ", kMaxLayerBytes, "\n  keep_setid_bits: false\n"));
    ASSERT_TRUE(st.ok()) << st << "\n" << daemon_.Log();
    client_ = std::make_unique<CriClient>(daemon_.socket());
  }
  void TearDown() override {
    ExpectOutsideUntouched();
    // Refused pulls leave neither unfinished nor orphaned layer directories.
    auto names = ListDir(daemon_.root_dir() + "/l");
    ASSERT_TRUE(names.ok()) << names.status();
    for (const auto& n : *names) EXPECT_NE(n.rfind(".tmp-", 0), 0u) << "unfinished layer dir " << n;
    EXPECT_EQ(names->size(), pulled_layers_) << "layer dirs beyond those of the images that were pulled";
  }

  // An OCI layout with one image of `layers`, pushed as hostile/<name>:1; returns the reference.
  std::string Push(const std::string& name, const std::vector<Layer>& layers) {
    std::string layout = tmp_.Sub("layout-" + name);
    absl::Status written = imagetest::WriteOciLayout(layout, layers);
    EXPECT_TRUE(written.ok()) << written;
    absl::Status pushed = registry_->Push(layout, "hostile/" + name + ":1");
    EXPECT_TRUE(pushed.ok()) << pushed;
    return registry_->addr() + "/hostile/" + name + ":1";
  }

  // Pulls `ref` and expects `code` with `words` in the message; the image must not be listed.
  void ExpectRefused(const std::string& ref, grpc::StatusCode code, const std::string& words) {
    std::string id;
    grpc::Status st = client_->PullImage(ref, &id);
    EXPECT_EQ(st.error_code(), code) << ref << ": " << st.error_message() << "\n" << daemon_.Log();
    EXPECT_NE(st.error_message().find(words), std::string::npos) << ref << ": " << st.error_message();
    cri::ImageStatusRequest req;
    req.mutable_image()->set_image(ref);
    cri::ImageStatusResponse resp;
    ASSERT_TRUE(client_->Call(&cri::ImageService::Stub::ImageStatus, req, &resp).ok());
    EXPECT_FALSE(resp.has_image()) << ref << " is listed although refused";
  }
  // The unpacked directory of the image's first layer, from the verbose ImageStatus.
  std::string FirstLayerDir(const std::string& ref) {
    cri::ImageStatusRequest req;
    req.mutable_image()->set_image(ref);
    req.set_verbose(true);
    cri::ImageStatusResponse resp;
    auto st = client_->Call(&cri::ImageService::Stub::ImageStatus, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    json info = json::parse(resp.info().at("info"), nullptr, false);
    if (!info.is_object()) return "";
    return info["record"]["layer_dirs"][0].get<std::string>();
  }
  void ExpectOutsideUntouched() {
    auto names = ListDir(outside_);
    ASSERT_TRUE(names.ok()) << names.status();
    EXPECT_EQ(*names, std::vector<std::string>{"sentinel"}) << "something was written outside the store";
    auto content = ReadFile(outside_ + "/sentinel");
    ASSERT_TRUE(content.ok()) << content.status();
    EXPECT_EQ(*content, "original");
  }
  mode_t ModeOf(const std::string& path) {
    struct stat st;
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode;
  }
  // `..` components enough to climb from any layer directory to /.
  static std::string Up() {
    std::string up;
    for (int i = 0; i < 40; ++i) up += "../";
    return up;
  }

  TempDir tmp_{"podagent-e2e-hostile"};
  std::string outside_;
  static inline std::unique_ptr<TempDir> registry_dir_;
  static inline std::unique_ptr<TestRegistry> registry_;
  static inline absl::Status registry_status_;
  TestDaemon daemon_;
  std::unique_ptr<CriClient> client_;
  size_t pulled_layers_ = 0;
};

TEST_F(HostileImageE2E, PathTraversalIsRefused) {
  ExpectRefused(Push("traversal", {PlainLayer(LayerBuilder().File(Up() + outside_.substr(1) + "/pwned", "x").Finish())}),
                grpc::StatusCode::INVALID_ARGUMENT, "\"..\" components are refused");
  ExpectRefused(Push("absolute", {PlainLayer(LayerBuilder().File(outside_ + "/pwned", "x").Finish())}),
                grpc::StatusCode::INVALID_ARGUMENT, "absolute names are refused");
}

TEST_F(HostileImageE2E, SymlinkEscapesAreRefused) {
  ExpectRefused(Push("abs-symlink", {PlainLayer(LayerBuilder().Symlink("link", outside_).File("link/pwned", "x").Finish())}),
                grpc::StatusCode::INVALID_ARGUMENT, "symlinks are not followed");
  ExpectRefused(
      Push("rel-symlink", {PlainLayer(LayerBuilder().Symlink("rel", Up() + outside_.substr(1)).File("rel/pwned", "x").Finish())}),
      grpc::StatusCode::INVALID_ARGUMENT, "symlinks are not followed");
}

TEST_F(HostileImageE2E, HardlinkEscapesAreRefused) {
  ExpectRefused(Push("hardlink-dotdot", {PlainLayer(LayerBuilder().Hardlink("hl", Up() + "etc/passwd").Finish())}),
                grpc::StatusCode::INVALID_ARGUMENT, "\"..\" components are refused");
  ExpectRefused(Push("hardlink-abs", {PlainLayer(LayerBuilder().Hardlink("hl", outside_ + "/sentinel").Finish())}),
                grpc::StatusCode::INVALID_ARGUMENT, "absolute names are refused");
  ExpectRefused(Push("hardlink-symlink", {PlainLayer(
                                             LayerBuilder().Symlink("link", outside_).Hardlink("hl", "link/sentinel").Finish())}),
                grpc::StatusCode::INVALID_ARGUMENT, "symlinks are not followed");
}

TEST_F(HostileImageE2E, DeviceNodesAreRefused) {
  ExpectRefused(Push("blockdev", {PlainLayer(LayerBuilder().Dir("dev").Device("dev/sda", AE_IFBLK, 8, 0, 0666).Finish())}),
                grpc::StatusCode::INVALID_ARGUMENT, "device nodes in images are refused");
  ExpectRefused(Push("chardev", {PlainLayer(LayerBuilder().Dir("dev").Device("dev/mem", AE_IFCHR, 1, 1, 0666).Finish())}),
                grpc::StatusCode::INVALID_ARGUMENT, "device nodes in images are refused");
}

TEST_F(HostileImageE2E, DecompressionBombIsRefusedAtTheLimit) {
  std::string bomb = LayerBuilder(Compression::kZstd).File("zeros", std::string(kMaxLayerBytes * 8, '\0')).Finish();
  ASSERT_LT(bomb.size(), 1u << 20);
  ExpectRefused(Push("bomb", {{bomb, "sha256:" + std::string(64, '0'), "application/vnd.oci.image.layer.v1.tar+zstd"}}),
                grpc::StatusCode::INVALID_ARGUMENT, "images.max_layer_bytes");
}

TEST_F(HostileImageE2E, DiffIdMismatchIsRefused) {
  // (A registry serving other bytes than the manifest's layer digest is refused by the content
  // store's verification, t_image_content_store; here skopeo recompresses an uncompressed layer on
  // push, so the blob the registry stores is not found under the layout's digest to tamper with.)
  // The config claims another uncompressed content than the layer has.
  std::string other = LayerBuilder().File("g", "b").Finish();
  ExpectRefused(Push("diffid", {{other, "sha256:" + std::string(64, 'd'), "application/vnd.oci.image.layer.v1.tar"}}),
                grpc::StatusCode::DATA_LOSS, "the image config says");
}

// Set-user-ID bits are stripped where the operator asks (images.keep_setid_bits: false; the
// default keeps them, as images with su or ping need and critest's NoNewPrivs spec checks), and whatever an image brings is
// unreachable by host users: l/ and the root dir are 0700.
TEST_F(HostileImageE2E, SetuidBitsAreStrippedAndTheStoreIsPrivate) {
  std::string ref = Push("setuid", {PlainLayer(LayerBuilder().Dir("bin").File("bin/rootshell", "#!/bin/sh\n", 04755).Finish())});
  std::string id;
  grpc::Status st = client_->PullImage(ref, &id);
  ASSERT_TRUE(st.ok()) << st.error_message() << "\n" << daemon_.Log();
  pulled_layers_ = 1;
  std::string dir = FirstLayerDir(ref);
  ASSERT_FALSE(dir.empty());
  EXPECT_EQ(ModeOf(dir + "/bin/rootshell") & 07777, 0755u) << "set-user-ID bit kept";
  EXPECT_EQ(ModeOf(daemon_.root_dir() + "/l") & 07777, 0700u);
  EXPECT_EQ(ModeOf(daemon_.root_dir()) & 07777, 0700u);
}

// A FIFO at /etc/passwd pulls fine (CreateContainer's side belongs to the runtime's opens); it
// is a FIFO in the store, not something the pull opened or followed.
TEST_F(HostileImageE2E, FifoEtcPasswdPullsAsAFifo) {
  std::string ref = Push("fifo", {PlainLayer(LayerBuilder().Dir("etc").Device("etc/passwd", AE_IFIFO, 0, 0, 0644).Finish())});
  std::string id;
  grpc::Status st = client_->PullImage(ref, &id);
  ASSERT_TRUE(st.ok()) << st.error_message() << "\n" << daemon_.Log();
  pulled_layers_ = 1;
  EXPECT_TRUE(S_ISFIFO(ModeOf(FirstLayerDir(ref) + "/etc/passwd")));
}

}  // namespace
}  // namespace podagent
