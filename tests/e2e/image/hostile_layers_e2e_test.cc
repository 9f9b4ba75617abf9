// E2E: PullImage through the socket of images whose layers try to leave their root (a "../" entry,
// a symlink to "/" followed by a file through it, a hard link to a host file). Whatever the
// daemon answers, nothing may appear outside its layer dirs and no host file may be linked in;
// the daemon keeps running.
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runtime/common/files.h"
#include "runtime/image/digest.h"
#include "tests/fixtures/image/layer_builder.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/temp_dir.h"
#include "tests/lib/test_daemon.h"
#include "tests/lib/test_registry.h"

namespace podagent::testing {
namespace {

// Writes an OCI image layout (image-spec "image-layout.md") holding one image with `layer` (an
// uncompressed tar) as its only layer.
absl::Status WriteLayout(const std::string& dir, const std::string& layer) {
  auto blob = [&](const std::string& data) -> absl::StatusOr<std::string> {
    std::string digest = Sha256Digest(data);
    absl::Status st = WriteFileAtomic(dir + "/blobs/sha256/" + DigestHex(digest), data);
    if (!st.ok()) return st;
    return digest;
  };
  if (auto st = MakeDirs(dir + "/blobs/sha256"); !st.ok()) return st;
  auto layer_digest = blob(layer);
  if (!layer_digest.ok()) return layer_digest.status();
  nlohmann::json config = {{"architecture", "amd64"},
                           {"os", "linux"},
                           {"config", {{"Cmd", {"sh"}}}},
                           {"rootfs", {{"type", "layers"}, {"diff_ids", {*layer_digest}}}}};
  std::string config_text = config.dump();
  auto config_digest = blob(config_text);
  if (!config_digest.ok()) return config_digest.status();
  nlohmann::json manifest = {
      {"schemaVersion", 2},
      {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
      {"config",
       {{"mediaType", "application/vnd.oci.image.config.v1+json"}, {"digest", *config_digest}, {"size", config_text.size()}}},
      {"layers",
       {{{"mediaType", "application/vnd.oci.image.layer.v1.tar"}, {"digest", *layer_digest}, {"size", layer.size()}}}}};
  std::string manifest_text = manifest.dump();
  auto manifest_digest = blob(manifest_text);
  if (!manifest_digest.ok()) return manifest_digest.status();
  nlohmann::json index = {{"schemaVersion", 2},
                          {"manifests",
                           {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                             {"digest", *manifest_digest},
                             {"size", manifest_text.size()}}}}};
  if (auto st = WriteFileAtomic(dir + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})"); !st.ok()) return st;
  return WriteFileAtomic(dir + "/index.json", index.dump());
}

class HostileLayersE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    auto reg = TestRegistry::Start(tmp_ / "registry");
    ASSERT_TRUE(reg.ok()) << reg.status();
    registry_ = std::move(*reg);
    ASSERT_TRUE(MakeDirs(tmp_ / "outside").ok());
    ASSERT_TRUE(WriteFileAtomic(tmp_ / "outside/secret", "host secret").ok());
    absl::Status st = daemon_.Start(absl::StrCat("registry:\n  insecure: [\"", registry_->addr(), "\"]\n"));
    ASSERT_TRUE(st.ok()) << st << "\n" << daemon_.Log();
    client_ = std::make_unique<CriClient>(daemon_.socket());
  }

  // Pushes `layer` as NAME:1 and pulls it through the CRI; returns the pull's status.
  grpc::Status PushAndPull(const std::string& name, const std::string& layer) {
    std::string layout = tmp_ / ("layout-" + name);
    absl::Status written = WriteLayout(layout, layer);
    EXPECT_TRUE(written.ok()) << written;
    absl::Status pushed = registry_->Push(layout, name + ":1");
    EXPECT_TRUE(pushed.ok()) << pushed;
    std::string ref;
    return client_->PullImage(registry_->addr() + "/" + name + ":1", &ref);
  }

  // Nothing beside the "outside" dir's own file, the secret unchanged and not linked anywhere.
  void ExpectOutsideUntouched(const std::string& what) {
    auto names = ListDir(tmp_ / "outside");
    ASSERT_TRUE(names.ok()) << names.status();
    EXPECT_EQ(*names, std::vector<std::string>{"secret"}) << what;
    struct stat st {};
    ASSERT_EQ(::stat((tmp_ / "outside/secret").c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 1u) << what << ": the host file was hard-linked into a layer";
    auto text = ReadFile(tmp_ / "outside/secret");
    ASSERT_TRUE(text.ok()) << text.status();
    EXPECT_EQ(*text, "host secret") << what;
    cri::VersionResponse v;
    EXPECT_TRUE(client_->Version(&v).ok()) << what << ": the daemon still answers";
  }

  TempDir tmp_{"podagent-hostile"};
  std::unique_ptr<TestRegistry> registry_;
  TestDaemon daemon_;
  std::unique_ptr<CriClient> client_;
};

TEST_F(HostileLayersE2E, LayersThatLeaveTheirRootChangeNothingOutside) {
  using imagetest::LayerBuilder;
  std::string outside = tmp_ / "outside";
  struct Case {
    const char* name;
    std::string layer;
  };
  std::vector<Case> cases = {
      {"dotdot", LayerBuilder().File("../../../../../../../../.." + outside + "/dotdot", "x").Finish()},
      {"abssymlink", LayerBuilder().Symlink("l", "/").File("l" + outside + "/abssymlink", "x").Finish()},
      {"relsymlink", LayerBuilder().Symlink("r", "../../../../../../../../..").File("r" + outside + "/rel", "x").Finish()},
      {"hardlink", LayerBuilder().Hardlink("h", outside + "/secret").Finish()},
  };
  for (const Case& c : cases) {
    grpc::Status st = PushAndPull(c.name, c.layer);
    if (!st.ok()) {
      EXPECT_FALSE(st.error_message().empty()) << c.name;
    }
    ExpectOutsideUntouched(c.name);
  }
}

}  // namespace
}  // namespace podagent::testing
