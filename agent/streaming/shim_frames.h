#pragma once
// The framing of a shim's attach socket (runtime/shim/attach_server.h) as the daemon sees it:
// from the shim, [stream byte][32-bit big-endian length][bytes] (1 stdout, 2 stderr); to the shim
// of a tty attach, the same header with 'd' (stdin bytes) or 'r' (a window size: cols, rows as
// 16-bit big-endian). Shared by the SPDY and WebSocket attach sessions.

#include <cstddef>
#include <string>
#include <string_view>

namespace podagent::streaming {

constexpr size_t kShimFrameHeader = 5;         // stream byte, 32-bit length
constexpr size_t kMaxShimStdinFrame = 32 * 1024;  // the shim refuses frames over 64 KiB

inline void AppendShimFrame(std::string& out, char kind, std::string_view payload) {
  size_t n = payload.size();
  out += kind;
  for (int i = 0; i < 4; ++i) out += static_cast<char>((n >> (24 - 8 * i)) & 0xff);
  out.append(payload);
}

// stdin bytes for a tty attach: 'd' frames of at most kMaxShimStdinFrame.
inline void AppendShimStdin(std::string& out, std::string_view in) {
  for (size_t off = 0; off < in.size(); off += kMaxShimStdinFrame) {
    AppendShimFrame(out, 'd', in.substr(off, kMaxShimStdinFrame));
  }
}

inline void AppendShimResize(std::string& out, unsigned short cols, unsigned short rows) {
  const char size[4] = {static_cast<char>(cols >> 8), static_cast<char>(cols & 0xff), static_cast<char>(rows >> 8),
                        static_cast<char>(rows & 0xff)};
  AppendShimFrame(out, 'r', std::string_view(size, sizeof size));
}

// Calls fn(stream byte, payload) for each whole frame at the front of `buf` and removes them.
template <typename Fn>
void TakeShimFrames(std::string& buf, Fn&& fn) {
  size_t pos = 0;
  while (buf.size() - pos >= kShimFrameHeader) {
    const auto* b = reinterpret_cast<const unsigned char*>(buf.data() + pos);
    size_t len = (size_t{b[1]} << 24) | (size_t{b[2]} << 16) | (size_t{b[3]} << 8) | size_t{b[4]};
    if (buf.size() - pos - kShimFrameHeader < len) break;
    fn(b[0], std::string_view(buf).substr(pos + kShimFrameHeader, len));
    pos += kShimFrameHeader + len;
  }
  buf.erase(0, pos);
}

}  // namespace podagent::streaming
