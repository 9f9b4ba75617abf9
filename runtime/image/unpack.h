#pragma once
// Unpacks one layer (tar, tar+gzip, tar+zstd) into an empty directory in the form overlayfs
// stacks: whiteouts become overlay whiteouts, ownership/modes/xattrs/times/hardlinks/FIFOs are
// kept. Nothing is ever written outside `dest_dir`: absolute names, ".." components, symlinked
// parents and hardlinks leaving the root are refused with InvalidArgument naming the entry.
// An image is hostile input, so also refused: character and block device nodes (a container gets
// its /dev from the runtime, never from an image), and layers whose uncompressed stream or entry
// count passes the limits (checked while reading, so a decompression bomb stops at the limit).
// Set-user-ID and set-group-ID bits of non-directories are stripped unless `keep_setid_bits`.
// The uncompressed stream is hashed on the way (the layer's diff_id).

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "runtime/image/manifest.h"

namespace podagent {

struct UnpackOptions {
  int64_t max_bytes = int64_t{64} << 30;  // uncompressed tar bytes per layer
  int64_t max_entries = 2000000;         // tar entries per layer
  bool keep_setid_bits = false;
};

struct UnpackResult {
  std::string diff_id;  // sha256 of the uncompressed tar
  int64_t entries = 0;
  int64_t bytes = 0;    // file data written
  int64_t setid_stripped = 0;  // files whose set-user/group-ID bits were dropped
};

absl::StatusOr<UnpackResult> UnpackLayer(const std::string& blob_path, Compression compression,
                                         const std::string& dest_dir, const UnpackOptions& options = {});

// Same, reading the (compressed) layer from memory; for fuzzing and tests.
absl::StatusOr<UnpackResult> UnpackLayerFromMemory(const std::string& data, Compression compression,
                                                   const std::string& dest_dir, const UnpackOptions& options = {});

}  // namespace podagent
