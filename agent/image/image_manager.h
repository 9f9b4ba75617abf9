#pragma once
// ImageManager: the node's images (runtime/image's ImageStore) as the CRI ImageService and the
// containers need them. Pulls, lookups and removal; removal keeps what containers still use
// (asks ctx.containers->ImagesInUse()).

#include <atomic>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/context.h"
#include "runtime/image/image_store.h"
#include "runtime/image/registry_client.h"

namespace podagent {

struct ImageFsUsage {
  StoreUsage images;      // blobs, records and unpacked layers
  StoreUsage containers;  // writable layers under <root_dir>/containers
  std::string images_mountpoint, containers_mountpoint;
};

class ImageManager : public ImageLookup {
 public:
  explicit ImageManager(AgentContext& ctx);
  // Loads the image records; cleans temp files. No garbage collection here: containers are
  // recovered after images, so what they use is not known yet.
  absl::Status Recover();
  absl::StatusOr<ImageInfo> GetImage(const std::string& ref) const override;

  // Stops with Cancelled once `cancelled` says so (the RPC went away), and with DeadlineExceeded
  // after registry.pull_deadline_seconds.
  absl::StatusOr<ImageRecord> Pull(const std::string& ref, const RegistryAuth& auth,
                                   std::function<bool()> cancelled = nullptr);
  absl::StatusOr<ImageRecord> Find(const std::string& ref) const;
  std::vector<ImageRecord> List() const;
  // By id, tag or digest reference; an absent image is success (CRI: idempotent).
  absl::Status Remove(const std::string& ref);
  ImageFsUsage FsUsage() const;

  ImageInfo ToInfo(const ImageRecord& r) const;
  ImageStore& store() { return store_; }

 private:
  std::set<std::string> InUse() const;
  // Picks up images another process (`podagent image import`) wrote since the last look.
  void RefreshIfChanged() const;

  AgentContext& ctx_;
  mutable ImageStore store_;
  mutable std::atomic<int64_t> records_mtime_ns_{0};
};

// The images.* limits of the config as unpack options.
UnpackOptions UnpackOptionsFrom(const ImagesConfig& config);

// `podagent image ...` (import, ls): runs without the daemon. Returns the exit code.
int ImageCliMain(const Config& config, const std::vector<std::string>& args);

}  // namespace podagent
