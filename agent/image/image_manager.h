#pragma once
// ImageManager: the node's images (runtime/image's ImageStore) as the CRI ImageService and the
// containers need them. Pulls, lookups and removal; removal keeps what containers still use
// (asks ctx.containers->ImagesInUse()).

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/context.h"
#include "runtime/image/image_store.h"
#include "runtime/image/registry_client.h"

namespace podagent {

struct ImageFsUsage {
  StoreUsage images;      // blobs, records and unpacked layers
  StoreUsage containers;  // writable layers under <root_dir>/containers
  std::string images_mountpoint, containers_mountpoint;
  absl::Time measured_at;
};

class ImageManager : public ImageLookup {
 public:
  // `clock` (tests) dates the FsUsage measurements.
  explicit ImageManager(AgentContext& ctx, std::function<absl::Time()> clock = [] { return absl::Now(); });
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
  // What the images and the containers' writable layers use on disk (ImageFsInfo). Walking the
  // trees costs ~25 ms at 500 containers, and kubelet asks every 10 s or so: a measurement is
  // reused for metrics.housekeeping_seconds (containerd's stats_collect_period; 0: measured at
  // each call), and measured again at once after a pull or a removal.
  ImageFsUsage FsUsage() const;

  ImageInfo ToInfo(const ImageRecord& r) const;
  ImageStore& store() { return store_; }

 private:
  std::set<std::string> InUse() const;
  void ForgetUsage() const;  // the next FsUsage measures again
  // Picks up images another process (`podagent image import`) wrote since the last look.
  void RefreshIfChanged() const;

  AgentContext& ctx_;
  std::function<absl::Time()> clock_;
  mutable ImageStore store_;
  mutable std::atomic<int64_t> records_mtime_ns_{0};
  mutable std::mutex usage_mu_;  // held while measuring: callers at once share one walk
  mutable std::optional<ImageFsUsage> usage_;  // guarded by usage_mu_; none: measure again
};

// The images.* limits of the config as unpack options.
UnpackOptions UnpackOptionsFrom(const ImagesConfig& config);

// `podagent image ...` (import, ls): runs without the daemon. Returns the exit code.
int ImageCliMain(const Config& config, const std::vector<std::string>& args);

}  // namespace podagent
