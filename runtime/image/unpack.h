#pragma once
// Unpacks one layer (tar, tar+gzip, tar+zstd) into an empty directory in the form overlayfs
// stacks: whiteouts become overlay whiteouts, ownership/modes/xattrs/times/hardlinks/device nodes
// are kept. Nothing is ever written outside `dest_dir`: absolute names, ".." components,
// symlinked parents and hardlinks leaving the root are refused with InvalidArgument naming the
// entry. The uncompressed stream is hashed on the way (the layer's diff_id).

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "runtime/image/manifest.h"

namespace podagent {

struct UnpackResult {
  std::string diff_id;  // sha256 of the uncompressed tar
  int64_t entries = 0;
  int64_t bytes = 0;    // file data written
};

absl::StatusOr<UnpackResult> UnpackLayer(const std::string& blob_path, Compression compression,
                                         const std::string& dest_dir);

// Same, reading the (compressed) layer from memory; for fuzzing and tests.
absl::StatusOr<UnpackResult> UnpackLayerFromMemory(const std::string& data, Compression compression,
                                                   const std::string& dest_dir);

}  // namespace podagent
