#pragma once
// GzipReader: a gzip stream (RFC 1952, one member or several in a row) inflated with ISA-L's
// igzip, about twice zlib's speed on this hardware: inflating is the largest share of a pull's
// CPU. Streaming, in fixed memory whatever the layer's size (the inflate state with its 32 KiB
// window, and a 128 KiB input buffer): the caller bounds what it reads out. Each member's header
// is parsed and its CRC-32 and length trailer checked; bytes after the last member that do not
// start another one end the stream (gzip(1) ignores them too; a layer's digests cover them).
// Corrupt or truncated input is InvalidArgument.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace podagent {

class GzipReader {
 public:
  // Fills `buf` with up to `cap` compressed bytes; 0 at the end of the input.
  using Source = std::function<absl::StatusOr<size_t>(char* buf, size_t cap)>;

  explicit GzipReader(Source source);
  ~GzipReader();
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  // Up to `cap` decompressed bytes into `out`; 0 once the stream has ended.
  absl::StatusOr<size_t> Read(char* out, size_t cap);

 private:
  struct State;
  absl::Status Refill();
  absl::Status NextMemberOrEnd();

  Source source_;
  std::unique_ptr<State> s_;
};

// Sources: a file read from its fd (not owned), and bytes in memory (not copied: `data` must outlive the reader).
GzipReader::Source FdSource(int fd);
GzipReader::Source MemorySource(const std::string& data);

}  // namespace podagent
