#include "runtime/image/store_image.h"

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/image/layer_unpacks.h"
#include "spdlog/spdlog.h"

namespace podagent {
namespace {

absl::Status FetchLayer(ImageStore& store, const StoreImageRequest& req, const Descriptor& blob) {
  return store.content().Ensure(
      blob.digest, blob.size, [&](BlobWriter& w) { return req.source(blob, w); }, req.interrupt);
}

}  // namespace

absl::StatusOr<ImageRecord> StoreImage(ImageStore& store, const StoreImageRequest& req) {
  const Manifest& m = req.manifest;
  std::vector<std::string> blobs = {req.manifest_digest, m.config.digest};
  for (const auto& l : m.layers) blobs.push_back(l.digest);
  ImageStore::Lease blob_lease(store, blobs);

  RETURN_IF_ERROR(store.content().Put(req.manifest_digest, req.manifest_body));
  auto fetch_config = [&] {
    return store.content().Ensure(
        m.config.digest, m.config.size, [&](BlobWriter& w) { return req.source(m.config, w); }, req.interrupt);
  };
  RETURN_IF_ERROR(fetch_config());
  auto config_read = store.content().Read(m.config.digest);
  if (absl::IsDataLoss(config_read.status())) {  // torn by a crash and removed: fetch it once more
    spdlog::warn("image {}: {}; fetching it again", req.name, std::string(config_read.status().message()));
    RETURN_IF_ERROR(fetch_config());
    config_read = store.content().Read(m.config.digest);
  }
  ASSIGN_OR_RETURN(std::string config_body, std::move(config_read));
  auto config = ParseImageConfig(config_body);
  if (!config.ok()) return Annotate(config.status(), absl::StrCat("image ", req.name, ": config ", m.config.digest));
  if (config->diff_ids.size() != m.layers.size()) {
    return absl::InvalidArgumentError(absl::StrCat("image ", req.name, ": the config lists ", config->diff_ids.size(),
                                                   " layers, the manifest ", m.layers.size()));
  }
  ImageStore::Lease layer_lease(store, config->diff_ids);

  ImageRecord rec;
  rec.id = m.config.digest;
  rec.repo_tags = req.repo_tags;
  rec.repo_digests = req.repo_digests;
  rec.manifest_digest = req.manifest_digest;
  rec.config_media_type = m.config.media_type;
  rec.config_size = m.config.size;
  rec.size = m.config.size;
  LayerUnpacks unpacks(store, req.name);
  absl::Status fetched;
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const Descriptor& blob = m.layers[i];
    LayerRef layer{blob.digest, blob.media_type, blob.size, config->diff_ids[i]};
    rec.layers.push_back(layer);
    rec.size += blob.size;
    if (!fetched.ok()) continue;  // the record is not committed; the sizes no longer matter
    if (store.HasLayer(layer.diff_id)) {
      spdlog::info("image {}: layer {}/{} {} already present", req.name, i + 1, m.layers.size(), blob.digest);
      continue;
    }
    fetched = CheckInterrupt(req.interrupt);
    if (!fetched.ok()) continue;
    spdlog::info("image {}: layer {}/{} {} ({} bytes)", req.name, i + 1, m.layers.size(), blob.digest, blob.size);
    fetched = FetchLayer(store, req, blob);
    if (fetched.ok()) unpacks.Start(layer);
  }
  RETURN_IF_ERROR(unpacks.Finish([&](const LayerRef& layer) {
    for (const Descriptor& blob : m.layers) {
      if (blob.digest == layer.digest) return FetchLayer(store, req, blob);
    }
    return absl::InternalError(absl::StrCat("layer ", layer.digest, " is not in the manifest"));
  }));
  RETURN_IF_ERROR(fetched);
  rec.config = std::move(*config);
  return store.Commit(std::move(rec));
}

}  // namespace podagent
