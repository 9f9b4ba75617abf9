#pragma once
// ImageManager: the content store, unpacked layers and image records.
// STUB: replaced by the images work.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agent/context.h"

namespace podagent {

class ImageManager : public ImageLookup {
 public:
  explicit ImageManager(AgentContext& ctx) : ctx_(ctx) {}
  absl::Status Recover() { return absl::OkStatus(); }
  absl::StatusOr<ImageInfo> GetImage(const std::string& ref) const override {
    return absl::NotFoundError("image " + ref + " not found");
  }

 private:
  [[maybe_unused]] AgentContext& ctx_;
};

// `podagent image ...` (import, ls): runs without the daemon. Returns the exit code.
int ImageCliMain(const Config& config, const std::vector<std::string>& args);

}  // namespace podagent
