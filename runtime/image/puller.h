#pragma once
// PullImage: reference -> manifest (an index picks linux/amd64) -> StoreImage from the registry.
// The image id is the config digest; repo digest is repository@<digest of what the reference
// resolved to> (the index when there is one).
// A pull stops with Cancelled as soon as `cancelled` says so and with DeadlineExceeded once
// `deadline` has passed: between requests, during a transfer (even one that trickles), while it
// backs off before a retry and while it waits on another pull fetching the same blob.

#include <functional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "runtime/image/image_store.h"
#include "runtime/image/reference.h"
#include "runtime/image/registry_client.h"

namespace podagent {

struct PullOptions {
  RegistryOptions registry;
  RegistryAuth auth;
  RegistryClient::ProgressFn progress;  // optional
  std::string os = "linux", architecture = "amd64";
  absl::Duration deadline = absl::InfiniteDuration();  // the whole pull
  std::function<bool()> cancelled;                     // optional: the RPC was cancelled
};

absl::StatusOr<ImageRecord> PullImage(ImageStore& store, const ImageReference& ref, const PullOptions& options);

}  // namespace podagent
