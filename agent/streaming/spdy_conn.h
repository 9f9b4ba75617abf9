#pragma once
// SpdyConn: the server side of one SPDY/3.1 connection on a non-blocking socket. The owner polls
// fd() and calls ReadFrames() when readable and Flush() when Pending() > 0. Nothing blocks.
// Memory is bounded: input by the largest frame, output by the owner, who stops producing while
// Pending() is above its limit (back-pressure reaches the peer as TCP flow control).

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "agent/streaming/spdy_frame.h"
#include "agent/streaming/spdy_headers.h"
#include "runtime/common/unique_fd.h"

namespace podagent::spdy {

struct InFrame {
  Frame frame;
  HeaderList headers;  // decoded for SYN_STREAM, SYN_REPLY and HEADERS
};

class SpdyConn {
 public:
  // `initial` holds bytes already read past the HTTP upgrade request.
  SpdyConn(UniqueFd socket, std::string initial);

  int fd() const { return socket_.Get(); }
  // Reads what the socket has (up to 64 KiB per call) and appends every whole frame. Sets
  // closed() on EOF. A protocol or read error is returned; the connection is then unusable.
  absl::Status ReadFrames(std::vector<InFrame>& out);
  // Parses frames from bytes already buffered (the `initial` bytes) without reading.
  absl::Status ParseBuffered(std::vector<InFrame>& out);
  bool closed() const { return closed_; }

  void Reply(uint32_t stream_id);          // SYN_REPLY with no headers
  void Data(uint32_t stream_id, std::string_view data, bool fin);
  void Reset(uint32_t stream_id, uint32_t status);
  void Ping(uint32_t id);
  void Queue(std::string bytes);

  // Writes as much of the output as the socket takes.
  absl::Status Flush();
  size_t Pending() const { return out_.size() - out_pos_; }
  // Flushes until empty or `timeout_ms`, then half-closes and drains input briefly so that a
  // close does not reset data the peer has not read yet.
  void FinishAndClose(int timeout_ms);

 private:
  UniqueFd socket_;
  std::string in_, out_;
  size_t out_pos_ = 0;
  bool closed_ = false;
  HeaderCompressor compress_;
  HeaderDecompressor decompress_;
};

}  // namespace podagent::spdy
