#pragma once
// OCI image-spec and Docker schema 2 documents: manifests, indexes (manifest lists) and image
// configs, parsed from untrusted JSON into plain structs. Parsers never throw.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace podagent {

namespace media {
inline constexpr char kOciManifest[] = "application/vnd.oci.image.manifest.v1+json";
inline constexpr char kOciIndex[] = "application/vnd.oci.image.index.v1+json";
inline constexpr char kOciConfig[] = "application/vnd.oci.image.config.v1+json";
inline constexpr char kOciLayer[] = "application/vnd.oci.image.layer.v1.tar";
inline constexpr char kOciLayerGzip[] = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr char kOciLayerZstd[] = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr char kDockerManifest[] = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr char kDockerList[] = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr char kDockerConfig[] = "application/vnd.docker.container.image.v1+json";
inline constexpr char kDockerLayerGzip[] = "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr char kDockerForeignLayerGzip[] = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
}  // namespace media

// The Accept header for manifest requests.
std::string ManifestAcceptHeader();

struct Platform {
  std::string os, architecture, variant;
};

struct Descriptor {
  std::string media_type;
  std::string digest;
  int64_t size = 0;
  std::vector<std::string> urls;
  Platform platform;
  std::map<std::string, std::string> annotations;
};

struct Manifest {
  std::string media_type;
  Descriptor config;
  std::vector<Descriptor> layers;
};

struct ImageIndex {
  std::string media_type;
  std::vector<Descriptor> manifests;
};

struct ImageConfig {
  std::string os, architecture;
  std::vector<std::string> entrypoint, cmd, env;
  std::string working_dir, user, stop_signal;
  std::map<std::string, std::string> labels;
  std::vector<std::string> diff_ids;
  std::string created;
};

enum class DocumentKind { kManifest, kIndex };

// Which kind a fetched document is, from the Content-Type header or else its mediaType field
// (or its shape: "manifests" vs "layers"). InvalidArgument for anything else.
absl::StatusOr<DocumentKind> ClassifyDocument(absl::string_view content_type, absl::string_view body);

absl::StatusOr<Manifest> ParseManifest(absl::string_view body);
absl::StatusOr<ImageIndex> ParseIndex(absl::string_view body);
absl::StatusOr<ImageConfig> ParseImageConfig(absl::string_view body);

// The entry of `index` for os/architecture (variant ignored unless the index has several);
// NotFound naming the platforms offered.
absl::StatusOr<Descriptor> SelectPlatform(const ImageIndex& index, absl::string_view os,
                                          absl::string_view architecture);

enum class Compression { kNone, kGzip, kZstd };
// Layer compression from its media type; InvalidArgument for non-layer types.
absl::StatusOr<Compression> LayerCompression(absl::string_view media_type);

}  // namespace podagent
