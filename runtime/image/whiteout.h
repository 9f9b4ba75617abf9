#pragma once
// OCI whiteouts in layer tars and their overlayfs form:
//   dir/.wh.NAME       -> dir/NAME as a character device 0/0 (overlay whiteout)
//   dir/.wh..wh..opq   -> xattr trusted.overlay.opaque=y on dir (opaque directory)

#include <string>

#include "absl/strings/string_view.h"

namespace podagent {

inline constexpr char kWhiteoutPrefix[] = ".wh.";
inline constexpr char kOpaqueWhiteout[] = ".wh..wh..opq";
inline constexpr char kOverlayOpaqueXattr[] = "trusted.overlay.opaque";

enum class WhiteoutKind { kNone, kFile, kOpaque };

struct Whiteout {
  WhiteoutKind kind = WhiteoutKind::kNone;
  std::string target;  // for kFile: the name hidden in lower layers
};

// Classifies a base name. A ".wh." name whose target is empty, "." or ".." is kNone with an
// empty target and `invalid` set.
Whiteout ClassifyWhiteout(absl::string_view base, bool* invalid);

}  // namespace podagent
