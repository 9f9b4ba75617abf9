#pragma once
// SPDY/3.1 framing (the transport of Kubernetes' remotecommand and portforward protocols over an
// upgraded HTTP/1.1 connection). Pure functions over bytes: no sockets, no zlib (header blocks stay
// compressed here; spdy_headers.h decodes them). Every length is checked against the buffer and
// against `max_length` before anything is read.
//
//   control frame: |1| version(15)=3 | type(16) | flags(8) | length(24) | payload
//   data frame:    |0| stream id(31)            | flags(8) | length(24) | data

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace podagent::spdy {

enum FrameType : uint16_t {
  kData = 0,
  kSynStream = 1,
  kSynReply = 2,
  kRstStream = 3,
  kSettings = 4,
  kPing = 6,
  kGoAway = 7,
  kHeaders = 8,
  kWindowUpdate = 9,
};

constexpr uint8_t kFlagFin = 0x01;
constexpr uint16_t kVersion = 3;
constexpr size_t kHeaderSize = 8;
constexpr size_t kDefaultMaxFrameLength = 1 << 20;

// RST_STREAM status codes used here.
constexpr uint32_t kProtocolError = 1;
constexpr uint32_t kRefusedStream = 3;
constexpr uint32_t kCancel = 5;

struct Frame {
  uint16_t type = kData;    // kData for data frames
  uint8_t flags = 0;
  uint32_t stream_id = 0;   // data, SYN_STREAM, SYN_REPLY, RST_STREAM, HEADERS, WINDOW_UPDATE
  uint32_t value = 0;       // RST/GOAWAY status, PING id, WINDOW_UPDATE delta
  std::string payload;      // data bytes, or the compressed header block (SYN_*, HEADERS)

  bool fin() const { return (flags & kFlagFin) != 0; }
};

// Parses one frame from the front of `buf`. Returns the bytes consumed, 0 when `buf` holds only
// part of a frame, or InvalidArgument for a malformed frame (wrong version, a length above
// `max_length`, a control payload too short for its type). Unknown control types parse (and are
// to be ignored, as the protocol says) with their raw payload.
absl::StatusOr<size_t> ParseFrame(std::string_view buf, Frame& out, size_t max_length = kDefaultMaxFrameLength);

std::string DataFrame(uint32_t stream_id, std::string_view data, bool fin);
std::string SynReplyFrame(uint32_t stream_id, std::string_view header_block, bool fin);
std::string SynStreamFrame(uint32_t stream_id, std::string_view header_block, bool fin);
std::string RstStreamFrame(uint32_t stream_id, uint32_t status);
std::string PingFrame(uint32_t id);
std::string GoAwayFrame(uint32_t last_good_stream_id, uint32_t status);

}  // namespace podagent::spdy
