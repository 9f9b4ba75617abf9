#pragma once
// ImportImages: images from files, for nodes without a registry. Accepts an OCI image layout
// (a directory, or a tar of one) and a docker-archive tar (`docker save`). Every blob is verified
// against its digest on the way into the content store, exactly as a pull does.
//
// Names: `name` when given (NAME[:TAG]); else the layout's io.containerd.image.name annotation,
// or org.opencontainers.image.ref.name when it is a full reference; a bare tag there is joined to
// the file's base name (busybox/ + "latest" -> docker.io/library/busybox:latest); docker
// archives carry their RepoTags.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/image/image_store.h"

namespace podagent {

absl::StatusOr<std::vector<ImageRecord>> ImportImages(ImageStore& store, const std::string& path,
                                                      const std::string& name = "");

}  // namespace podagent
