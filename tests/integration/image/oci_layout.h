#pragma once
// WriteOciLayout: an OCI image layout (one linux/amd64 image) from layer blobs built in memory,
// for tests that push or import images made on the spot (hostile ones included).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/common/files.h"
#include "runtime/image/digest.h"

namespace podagent::imagetest {

struct TestLayer {
  std::string blob;     // as stored (compressed or not)
  std::string diff_id;  // what the config claims
  std::string media_type = "application/vnd.oci.image.layer.v1.tar";
};

// An uncompressed layer whose config entry tells the truth.
inline TestLayer PlainLayer(const std::string& tar) { return {tar, Sha256Digest(tar)}; }

// Writes the layout into `dir` (created); returns the first error.
inline absl::Status WriteOciLayout(const std::string& dir, const std::vector<TestLayer>& layers) {
  using nlohmann::json;
  absl::Status st = MakeDirs(dir + "/blobs/sha256");
  auto put = [&](const std::string& data) {
    std::string d = Sha256Digest(data);
    if (st.ok()) st = WriteFileAtomic(dir + "/blobs/sha256/" + d.substr(7), data);
    return d;
  };
  json config = {{"architecture", "amd64"}, {"os", "linux"}, {"config", {{"Cmd", {"/bin/sh"}}}}};
  config["rootfs"] = {{"type", "layers"}, {"diff_ids", json::array()}};
  json manifest = {{"schemaVersion", 2}, {"mediaType", "application/vnd.oci.image.manifest.v1+json"}};
  manifest["layers"] = json::array();
  for (const auto& l : layers) {
    config["rootfs"]["diff_ids"].push_back(l.diff_id);
    manifest["layers"].push_back({{"mediaType", l.media_type}, {"digest", put(l.blob)}, {"size", l.blob.size()}});
  }
  std::string config_body = config.dump();
  manifest["config"] = {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                        {"digest", put(config_body)},
                        {"size", config_body.size()}};
  std::string manifest_body = manifest.dump();
  json index = {{"schemaVersion", 2},
                {"manifests",
                 {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"digest", put(manifest_body)},
                   {"size", manifest_body.size()}}}}};
  if (st.ok()) st = WriteFileAtomic(dir + "/index.json", index.dump());
  if (st.ok()) st = WriteFileAtomic(dir + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  return st;
}

}  // namespace podagent::imagetest
