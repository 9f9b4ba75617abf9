#pragma once
// ImageRecord: what the node knows of one image (keyed by its config digest), persisted as JSON
// with runtime/store/record_store.h.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "runtime/image/manifest.h"

namespace podagent {

struct LayerRef {
  std::string digest;      // blob digest (compressed, as in the manifest)
  std::string media_type;
  int64_t size = 0;        // blob size
  std::string diff_id;     // uncompressed digest; names the unpacked directory
};

struct ImageRecord {
  std::string id;               // "sha256:<config digest>"
  std::vector<std::string> repo_tags, repo_digests;
  std::string manifest_digest;  // the platform manifest
  std::string config_media_type;
  int64_t config_size = 0;
  std::vector<LayerRef> layers; // lowest first
  ImageConfig config;
  int64_t size = 0;             // config + layer blobs
  bool pinned = false;
  bool removed = false;         // removed by the user, kept while a container uses it
  int64_t created_at_ns = 0;    // when this node first stored it

  nlohmann::json ToJson() const;
  static absl::StatusOr<ImageRecord> FromJson(const nlohmann::json& j);
};

}  // namespace podagent
