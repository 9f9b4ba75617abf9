#include "runtime/image/layer_unpacks.h"

#include <system_error>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "spdlog/spdlog.h"

namespace podagent {

LayerUnpacks::~LayerUnpacks() {
  while (!running_.empty()) CollectOldest();
}

void LayerUnpacks::CollectOldest() {
  Pending p = std::move(running_.front());
  running_.pop_front();
  results_.emplace_back(std::move(p.layer), p.done.get());
}

void LayerUnpacks::Start(const LayerRef& layer) {
  while (running_.size() >= kInFlight) CollectOldest();
  std::future<absl::Status> done;
  try {
    done = std::async(std::launch::async, [this, layer] { return store_.EnsureLayer(layer); });
  } catch (const std::system_error& e) {
    spdlog::warn("image {}: layer {}: no thread to unpack it on ({}); unpacking it now", name_, layer.digest, e.what());
    results_.emplace_back(layer, store_.EnsureLayer(layer));
    return;
  }
  running_.push_back(Pending{layer, std::move(done)});
}

absl::Status LayerUnpacks::Finish(const std::function<absl::Status(const LayerRef&)>& refetch) {
  while (!running_.empty()) CollectOldest();
  for (auto& [layer, status] : results_) {
    if (status.ok()) continue;
    if (!store_.content().Has(layer.digest)) {  // a bad blob was dropped: once more
      spdlog::warn("image {}: layer {}: {}; fetching the blob again", name_, layer.digest, std::string(status.message()));
      status = refetch(layer);
      if (status.ok()) status = store_.EnsureLayer(layer);
    }
    if (!status.ok()) return Annotate(status, absl::StrCat("image ", name_));
  }
  return absl::OkStatus();
}

}  // namespace podagent
