#include "agent/streaming/spdy_frame.h"

#include "absl/strings/str_cat.h"

namespace podagent::spdy {
namespace {

uint32_t Be32(std::string_view b, size_t at) {
  return (uint32_t{static_cast<uint8_t>(b[at])} << 24) | (uint32_t{static_cast<uint8_t>(b[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(b[at + 2])} << 8) | uint32_t{static_cast<uint8_t>(b[at + 3])};
}

void Put32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

// The flags byte and the 24-bit length share one word.
void PutFlagsLength(std::string& out, uint8_t flags, size_t length) {
  Put32(out, (uint32_t{flags} << 24) | static_cast<uint32_t>(length & 0xffffff));
}

std::string Control(uint16_t type, uint8_t flags, std::string_view payload) {
  std::string out;
  out.reserve(kHeaderSize + payload.size());
  Put32(out, 0x80000000u | (uint32_t{kVersion} << 16) | type);
  PutFlagsLength(out, flags, payload.size());
  out.append(payload);
  return out;
}

// Minimum payload length of each known control type.
size_t MinLength(uint16_t type) {
  switch (type) {
    case kSynStream: return 10;
    case kSynReply: return 4;
    case kRstStream: return 8;
    case kSettings: return 4;
    case kPing: return 4;
    case kGoAway: return 4;  // SPDY/3 adds a status word; SPDY/2 peers send only the id
    case kHeaders: return 4;
    case kWindowUpdate: return 8;
    default: return 0;
  }
}

absl::Status ParseControl(uint16_t type, std::string_view p, Frame& out) {
  if (p.size() < MinLength(type)) {
    return absl::InvalidArgumentError(absl::StrCat("spdy: control frame type ", type, " too short (", p.size(), " bytes)"));
  }
  switch (type) {
    case kSynStream:
      out.stream_id = Be32(p, 0) & 0x7fffffff;
      out.payload.assign(p.substr(10));
      break;
    case kSynReply:
    case kHeaders:
      out.stream_id = Be32(p, 0) & 0x7fffffff;
      out.payload.assign(p.substr(4));
      break;
    case kRstStream:
    case kWindowUpdate:
      out.stream_id = Be32(p, 0) & 0x7fffffff;
      out.value = Be32(p, 4) & 0x7fffffff;
      break;
    case kPing:
      out.value = Be32(p, 0);
      break;
    case kGoAway:
      out.stream_id = Be32(p, 0) & 0x7fffffff;
      out.value = p.size() >= 8 ? Be32(p, 4) : 0;
      break;
    case kSettings: {
      uint32_t n = Be32(p, 0);
      if (n > (p.size() - 4) / 8 || 4 + size_t{n} * 8 != p.size()) {
        return absl::InvalidArgumentError(absl::StrCat("spdy: SETTINGS with ", n, " entries in ", p.size(), " bytes"));
      }
      out.payload.assign(p.substr(4));
      break;
    }
    default:
      out.payload.assign(p);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<size_t> ParseFrame(std::string_view buf, Frame& out, size_t max_length) {
  if (buf.size() < kHeaderSize) return 0;
  uint32_t first = Be32(buf, 0);
  uint32_t second = Be32(buf, 4);
  size_t length = second & 0xffffff;
  if (length > max_length) {
    return absl::InvalidArgumentError(absl::StrCat("spdy: frame of ", length, " bytes exceeds the limit of ", max_length));
  }
  if (buf.size() < kHeaderSize + length) return 0;
  out = Frame{};
  out.flags = static_cast<uint8_t>(second >> 24);
  std::string_view payload = buf.substr(kHeaderSize, length);
  if ((first & 0x80000000u) == 0) {
    out.type = kData;
    out.stream_id = first & 0x7fffffff;
    out.payload.assign(payload);
    return kHeaderSize + length;
  }
  uint16_t version = (first >> 16) & 0x7fff;
  if (version != kVersion) return absl::InvalidArgumentError(absl::StrCat("spdy: unsupported version ", version));
  out.type = static_cast<uint16_t>(first & 0xffff);
  if (out.type == kData) return absl::InvalidArgumentError("spdy: control frame of type 0");
  if (auto st = ParseControl(out.type, payload, out); !st.ok()) return st;
  return kHeaderSize + length;
}

std::string DataFrame(uint32_t stream_id, std::string_view data, bool fin) {
  std::string out;
  out.reserve(kHeaderSize + data.size());
  Put32(out, stream_id & 0x7fffffff);
  PutFlagsLength(out, fin ? kFlagFin : 0, data.size());
  out.append(data);
  return out;
}

std::string SynReplyFrame(uint32_t stream_id, std::string_view header_block, bool fin) {
  std::string p;
  Put32(p, stream_id & 0x7fffffff);
  p.append(header_block);
  return Control(kSynReply, fin ? kFlagFin : 0, p);
}

std::string SynStreamFrame(uint32_t stream_id, std::string_view header_block, bool fin) {
  std::string p;
  Put32(p, stream_id & 0x7fffffff);
  Put32(p, 0);             // associated stream
  p.append(2, '\0');       // priority, slot
  p.append(header_block);
  return Control(kSynStream, fin ? kFlagFin : 0, p);
}

std::string RstStreamFrame(uint32_t stream_id, uint32_t status) {
  std::string p;
  Put32(p, stream_id & 0x7fffffff);
  Put32(p, status);
  return Control(kRstStream, 0, p);
}

std::string PingFrame(uint32_t id) {
  std::string p;
  Put32(p, id);
  return Control(kPing, 0, p);
}

std::string GoAwayFrame(uint32_t last_good_stream_id, uint32_t status) {
  std::string p;
  Put32(p, last_good_stream_id & 0x7fffffff);
  Put32(p, status);
  return Control(kGoAway, 0, p);
}

}  // namespace podagent::spdy
