#include "runtime/image/manifest.h"

#include <gtest/gtest.h>

namespace podagent {
namespace {

const std::string kD1 = "sha256:" + std::string(64, '1');
const std::string kD2 = "sha256:" + std::string(64, '2');

std::string ManifestJson(const std::string& layer_type = media::kOciLayerGzip) {
  return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
    "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" + kD1 + R"(","size":10},
    "layers":[{"mediaType":")" + layer_type + R"(","digest":")" + kD2 + R"(","size":20}]})";
}

TEST(Manifest, ParsesOci) {
  auto m = ParseManifest(ManifestJson());
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->config.digest, kD1);
  ASSERT_EQ(m->layers.size(), 1u);
  EXPECT_EQ(m->layers[0].size, 20);
  EXPECT_EQ(*LayerCompression(m->layers[0].media_type), Compression::kGzip);
}

TEST(Manifest, RejectsBadInput) {
  EXPECT_FALSE(ParseManifest("nope").ok());
  EXPECT_FALSE(ParseManifest("[]").ok());
  EXPECT_FALSE(ParseManifest(R"({"schemaVersion":1})").ok());
  EXPECT_FALSE(ParseManifest(ManifestJson("application/x-evil")).ok());
  std::string bad_digest = ManifestJson();
  bad_digest.replace(bad_digest.find(kD2), kD2.size(), "sha256:../../x");
  auto st = ParseManifest(bad_digest).status();
  EXPECT_NE(st.message().find("invalid digest"), std::string::npos) << st;
  std::string neg = ManifestJson();
  neg.replace(neg.find("\"size\":20"), 9, "\"size\":-5");
  EXPECT_FALSE(ParseManifest(neg).ok());
}

TEST(Manifest, ClassifiesDocuments) {
  EXPECT_EQ(*ClassifyDocument(media::kDockerList, "{}"), DocumentKind::kIndex);
  EXPECT_EQ(*ClassifyDocument("application/vnd.oci.image.manifest.v1+json; charset=utf-8", ""), DocumentKind::kManifest);
  EXPECT_EQ(*ClassifyDocument("application/json", ManifestJson()), DocumentKind::kManifest);
  EXPECT_EQ(*ClassifyDocument("", R"({"schemaVersion":2,"manifests":[]})"), DocumentKind::kIndex);
  EXPECT_FALSE(ClassifyDocument("text/html", "<html>").ok());
}

TEST(Manifest, IndexPicksLinuxAmd64) {
  std::string idx = R"({"schemaVersion":2,"manifests":[
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + kD1 + R"(","size":1,
     "platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
    {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" + kD2 + R"(","size":2,
     "platform":{"os":"linux","architecture":"amd64"}}]})";
  auto i = ParseIndex(idx);
  ASSERT_TRUE(i.ok()) << i.status();
  auto d = SelectPlatform(*i, "linux", "amd64");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->digest, kD2);
  auto none = SelectPlatform(*i, "linux", "s390x");
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("linux/arm64"), std::string::npos) << none.status();
}

TEST(Manifest, ParsesConfig) {
  auto c = ParseImageConfig(R"({"os":"linux","architecture":"amd64",
    "config":{"Entrypoint":["/bin/sh","-c"],"Cmd":["echo hi"],"Env":["PATH=/bin"],"WorkingDir":"/w",
              "User":"1000:1000","StopSignal":"SIGINT","Labels":{"a":"b"}},
    "rootfs":{"type":"layers","diff_ids":[")" + kD1 + R"("]}})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->entrypoint, (std::vector<std::string>{"/bin/sh", "-c"}));
  EXPECT_EQ(c->cmd, std::vector<std::string>{"echo hi"});
  EXPECT_EQ(c->env, std::vector<std::string>{"PATH=/bin"});
  EXPECT_EQ(c->working_dir, "/w");
  EXPECT_EQ(c->user, "1000:1000");
  EXPECT_EQ(c->stop_signal, "SIGINT");
  EXPECT_EQ(c->labels.at("a"), "b");
  EXPECT_EQ(c->diff_ids, std::vector<std::string>{kD1});
  EXPECT_FALSE(ParseImageConfig(R"({"config":{}})").ok());
  EXPECT_FALSE(ParseImageConfig(R"({"rootfs":{"diff_ids":["x"]}})").ok());
}

TEST(Manifest, LayerCompression) {
  EXPECT_EQ(*LayerCompression(media::kOciLayer), Compression::kNone);
  EXPECT_EQ(*LayerCompression(media::kOciLayerZstd), Compression::kZstd);
  EXPECT_EQ(*LayerCompression(media::kDockerLayerGzip), Compression::kGzip);
  EXPECT_FALSE(LayerCompression("application/vnd.oci.image.config.v1+json").ok());
}

}  // namespace
}  // namespace podagent
