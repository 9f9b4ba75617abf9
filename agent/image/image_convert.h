#pragma once
// CRI <-> runtime/image conversions for the ImageService handlers (pure functions).

#include <string>

#include "agent/services.h"
#include "runtime/image/image_record.h"
#include "runtime/image/registry_client.h"

namespace podagent {

void ToCriImage(const ImageRecord& r, cri::Image* out);
RegistryAuth FromCriAuth(const cri::AuthConfig& auth);
// The "info" JSON of a verbose ImageStatus: the image config, layers and where they live.
std::string VerboseImageInfo(const ImageRecord& r, const std::vector<std::string>& layer_dirs);

}  // namespace podagent
