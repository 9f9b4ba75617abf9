#pragma once
// Reading a file of an image from its unpacked layers (lowest first) without mounting them, as
// overlayfs would show it: the topmost layer that has the path wins; a whiteout (a 0/0 character
// device) or a non-directory on the way hides the layers below, and so does an opaque directory
// (trusted.overlay.opaque=y) for what it does not hold itself.
//
// An image is hostile: each component is opened beneath the layer with O_NOFOLLOW (symlinks are
// never followed, so nothing outside the layer is read), the file is opened O_NONBLOCK (a FIFO or
// a device can never hang the caller), it must be a regular file, and it is read up to a bound.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace podagent {

inline constexpr size_t kMaxImageFileBytes = 4u << 20;

// "" when the merged view has no `path`. InvalidArgument (naming the path and the layer) when it
// is not a regular file or is larger than `max_bytes`.
absl::StatusOr<std::string> ReadFileFromLayers(const std::vector<std::string>& layers_lowest_first, const std::string& path,
                                               size_t max_bytes = kMaxImageFileBytes);

}  // namespace podagent
