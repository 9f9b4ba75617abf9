#include "runtime/image/puller.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/image/store_image.h"
#include "spdlog/spdlog.h"

namespace podagent {

namespace {

InterruptFn PullInterrupt(const std::string& name, const PullOptions& options, absl::Time deadline) {
  return [name, cancelled = options.cancelled, deadline, limit = options.deadline]() -> absl::Status {
    if (cancelled && cancelled()) return absl::CancelledError(absl::StrCat("image ", name, ": pull cancelled by the client"));
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat("image ", name, ": pull did not finish within ",
                                                      absl::FormatDuration(limit),
                                                      " (registry.pull_deadline_seconds or the RPC's deadline)"));
    }
    return absl::OkStatus();
  };
}

}  // namespace

absl::StatusOr<ImageRecord> PullImage(ImageStore& store, const ImageReference& ref, const PullOptions& options) {
  auto start = std::chrono::steady_clock::now();
  std::string name = ref.String();
  RegistryOptions registry = options.registry;
  registry.deadline = std::min(registry.deadline, absl::Now() + options.deadline);
  registry.interrupt = PullInterrupt(name, options, registry.deadline);
  RegistryClient client(registry, ref, options.auth);
  ASSIGN_OR_RETURN(FetchedManifest top, client.GetManifest(ref.Selector()));
  ASSIGN_OR_RETURN(DocumentKind kind, ClassifyDocument(top.media_type, top.body));
  FetchedManifest platform = top;
  if (kind == DocumentKind::kIndex) {
    ASSIGN_OR_RETURN(ImageIndex index, ParseIndex(top.body));
    auto entry = SelectPlatform(index, options.os, options.architecture);
    if (!entry.ok()) return Annotate(entry.status(), absl::StrCat("image ", name));
    ASSIGN_OR_RETURN(platform, client.GetManifest(entry->digest));
    ASSIGN_OR_RETURN(DocumentKind inner, ClassifyDocument(platform.media_type, platform.body));
    if (inner != DocumentKind::kManifest) {
      return absl::InvalidArgumentError(absl::StrCat("image ", name, ": nested image indexes are not supported"));
    }
  }
  auto manifest = ParseManifest(platform.body);
  if (!manifest.ok()) return Annotate(manifest.status(), absl::StrCat("image ", name));
  spdlog::info("image {}: manifest {} from {} ({} layers)", name, platform.digest, platform.endpoint,
               manifest->layers.size());

  StoreImageRequest req;
  req.name = name;
  req.manifest = std::move(*manifest);
  req.manifest_body = platform.body;
  req.manifest_digest = platform.digest;
  req.interrupt = registry.interrupt;
  if (!ref.tag.empty()) req.repo_tags.push_back(ref.TagRef());
  req.repo_digests.push_back(ref.DigestRef(top.digest));
  int64_t last_logged = 0;
  req.source = [&](const Descriptor& blob, BlobWriter& w) {
    return client.GetBlob(blob, w, [&](const std::string& digest, int64_t received, int64_t total) {
      if (options.progress) options.progress(digest, received, total);
      if (received - last_logged >= (16 << 20) || received == total) {
        last_logged = received == total ? 0 : received;
        spdlog::info("image {}: blob {}: {} of {} bytes", name, digest, received, total);
      }
    });
  };
  ASSIGN_OR_RETURN(ImageRecord rec, StoreImage(store, req));
  spdlog::info("image {}: pulled as {} in {} ms", name, rec.id,
               std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
  return rec;
}

}  // namespace podagent
