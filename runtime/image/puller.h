#pragma once
// PullImage: reference -> manifest (an index picks linux/amd64) -> StoreImage from the registry.
// The image id is the config digest; repo digest is repository@<digest of what the reference
// resolved to> (the index when there is one).

#include "absl/status/statusor.h"
#include "runtime/image/image_store.h"
#include "runtime/image/reference.h"
#include "runtime/image/registry_client.h"

namespace podagent {

struct PullOptions {
  RegistryOptions registry;
  RegistryAuth auth;
  RegistryClient::ProgressFn progress;  // optional
  std::string os = "linux", architecture = "amd64";
};

absl::StatusOr<ImageRecord> PullImage(ImageStore& store, const ImageReference& ref, const PullOptions& options);

}  // namespace podagent
