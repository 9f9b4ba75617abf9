#include "tests/fuzz/streaming/spdy_fuzz.h"

#include <cstdlib>
#include <string_view>

#include "agent/streaming/spdy_frame.h"
#include "agent/streaming/spdy_headers.h"

namespace podagent {

int FuzzSpdy(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  spdy::HeaderDecompressor inflate;
  size_t pos = 0;
  while (pos < in.size()) {
    spdy::Frame f;
    auto n = spdy::ParseFrame(in.substr(pos), f, 64 * 1024);
    if (!n.ok() || *n == 0) break;
    if (*n > in.size() - pos || *n < spdy::kHeaderSize) std::abort();
    pos += *n;
    if (f.type == spdy::kSynStream || f.type == spdy::kSynReply || f.type == spdy::kHeaders) {
      auto h = inflate.Decompress(f.payload);
      if (!h.ok()) break;
      if (h->size() > spdy::kMaxHeaderPairs) std::abort();
    }
  }
  return 0;
}

}  // namespace podagent
