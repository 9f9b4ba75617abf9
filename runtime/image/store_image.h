#pragma once
// StoreImage: the part of pull and import after the manifest is known. Fetches the config and
// the layers the node lacks from a BlobSource (registry or local files) into the verified content
// store, unpacks them, and commits the image record. Layers already unpacked are not fetched.
// Blobs are fetched one after another; each fetched layer is unpacked (LayerUnpacks) while the
// next is fetched. The record is committed only when every layer is unpacked.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/image/content_store.h"
#include "runtime/image/image_store.h"
#include "runtime/image/manifest.h"

namespace podagent {

using BlobSource = std::function<absl::Status(const Descriptor& blob, BlobWriter& writer)>;

struct StoreImageRequest {
  std::string name;  // for log lines
  Manifest manifest;
  std::string manifest_body;
  std::string manifest_digest;
  std::vector<std::string> repo_tags, repo_digests;
  BlobSource source;
  InterruptFn interrupt;  // optional: checked between steps and while waiting on another fetch
};

absl::StatusOr<ImageRecord> StoreImage(ImageStore& store, const StoreImageRequest& request);

}  // namespace podagent
