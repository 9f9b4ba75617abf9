#pragma once
// SPDY/3 name/value header blocks: the uncompressed layout
//   count(32) { name length(32) name  value length(32) value }*
// and the zlib stream each direction of a connection keeps, primed with the SPDY/3 dictionary
// (one compressor per sender, one decompressor per receiver, for the connection's lifetime).
// Names are lower case on the wire; a value may hold several values separated by NUL.

#include <zlib.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace podagent::spdy {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Limits on what a peer can make us hold for one block.
constexpr size_t kMaxHeaderBlock = 64 * 1024;  // decompressed bytes
constexpr size_t kMaxHeaderPairs = 256;

// The SPDY/3 header compression dictionary (1423 bytes, adler32 0xe3c6a7c2).
const std::string& HeaderDictionary();

std::string EncodeHeaderBlock(const HeaderList& headers);
// InvalidArgument on a truncated or oversized block, or trailing bytes.
absl::StatusOr<HeaderList> DecodeHeaderBlock(std::string_view raw);

// First value of `name` (compared without case), or "".
std::string HeaderValue(const HeaderList& headers, std::string_view name);

class HeaderCompressor {
 public:
  HeaderCompressor();
  ~HeaderCompressor();
  HeaderCompressor(const HeaderCompressor&) = delete;
  HeaderCompressor& operator=(const HeaderCompressor&) = delete;

  absl::StatusOr<std::string> Compress(const HeaderList& headers);

 private:
  z_stream z_{};
  bool ok_ = false;
};

class HeaderDecompressor {
 public:
  HeaderDecompressor();
  ~HeaderDecompressor();
  HeaderDecompressor(const HeaderDecompressor&) = delete;
  HeaderDecompressor& operator=(const HeaderDecompressor&) = delete;

  // Inflates one block (it must end on a sync flush, as SPDY senders write) and decodes it.
  absl::StatusOr<HeaderList> Decompress(std::string_view block);

 private:
  z_stream z_{};
  bool ok_ = false;
};

}  // namespace podagent::spdy
