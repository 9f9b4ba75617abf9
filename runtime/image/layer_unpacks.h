#pragma once
// LayerUnpacks: the layers of one pull unpacked while the next blobs are fetched. Inflating and
// writing a layer is most of a pull's CPU; fetching and hashing the next blob needs little of it,
// so on two cores a multi-layer pull overlaps them instead of taking turns. At most kInFlight
// unpacks run at once: each holds an inflate stream and a tar reader's buffers.
// Each layer is unpacked by ImageStore::EnsureLayer (single-flight per diff_id), as before.

#include <deque>
#include <functional>
#include <future>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "runtime/image/image_record.h"
#include "runtime/image/image_store.h"

namespace podagent {

class LayerUnpacks {
 public:
  static constexpr size_t kInFlight = 2;

  LayerUnpacks(ImageStore& store, std::string image_name) : store_(store), name_(std::move(image_name)) {}
  ~LayerUnpacks();  // waits for every unpack started
  LayerUnpacks(const LayerUnpacks&) = delete;
  LayerUnpacks& operator=(const LayerUnpacks&) = delete;

  // Starts unpacking `layer`, whose blob is in the content store; first waits for the oldest
  // unpack when kInFlight run. Unpacks on this thread when no thread can be started.
  void Start(const LayerRef& layer);
  // Waits for every unpack. A layer whose unpack failed and whose blob the store then dropped
  // (it did not match its digests) is fetched once more with `refetch` and unpacked again here.
  // The first layer's error that remains, in the order the layers were started.
  absl::Status Finish(const std::function<absl::Status(const LayerRef&)>& refetch);

 private:
  struct Pending {
    LayerRef layer;
    std::future<absl::Status> done;
  };
  void CollectOldest();

  ImageStore& store_;
  std::string name_;
  std::deque<Pending> running_;
  std::vector<std::pair<LayerRef, absl::Status>> results_;  // in start order
};

}  // namespace podagent
