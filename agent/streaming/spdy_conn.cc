#include "agent/streaming/spdy_conn.h"

#include <poll.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/common/errors.h"

namespace podagent::spdy {

SpdyConn::SpdyConn(UniqueFd socket, std::string initial) : socket_(std::move(socket)), in_(std::move(initial)) {}

absl::Status SpdyConn::ParseBuffered(std::vector<InFrame>& out) {
  size_t pos = 0;
  for (;;) {
    InFrame f;
    auto n = ParseFrame(std::string_view(in_).substr(pos), f.frame);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    pos += *n;
    uint16_t t = f.frame.type;
    if (t == kSynStream || t == kSynReply || t == kHeaders) {
      auto h = decompress_.Decompress(f.frame.payload);
      if (!h.ok()) return h.status();
      f.headers = std::move(*h);
      f.frame.payload.clear();
    }
    out.push_back(std::move(f));
  }
  in_.erase(0, pos);
  return absl::OkStatus();
}

absl::Status SpdyConn::ReadFrames(std::vector<InFrame>& out) {
  char buf[64 * 1024];
  ssize_t n = ::recv(socket_.Get(), buf, sizeof buf, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return absl::OkStatus();
    closed_ = true;
    return ErrnoError("spdy: recv");
  }
  if (n == 0) {
    closed_ = true;
    return absl::OkStatus();
  }
  in_.append(buf, static_cast<size_t>(n));
  return ParseBuffered(out);
}

void SpdyConn::Queue(std::string bytes) {
  if (out_pos_ == out_.size()) {
    out_ = std::move(bytes);
    out_pos_ = 0;
    return;
  }
  out_.append(bytes);
}

void SpdyConn::Reply(uint32_t stream_id) {
  auto block = compress_.Compress({});
  Queue(SynReplyFrame(stream_id, block.ok() ? *block : std::string(), false));
}

void SpdyConn::Data(uint32_t stream_id, std::string_view data, bool fin) { Queue(DataFrame(stream_id, data, fin)); }
void SpdyConn::Reset(uint32_t stream_id, uint32_t status) { Queue(RstStreamFrame(stream_id, status)); }
void SpdyConn::Ping(uint32_t id) { Queue(PingFrame(id)); }

absl::Status SpdyConn::Flush() {
  while (out_pos_ < out_.size()) {
    ssize_t n = ::send(socket_.Get(), out_.data() + out_pos_, out_.size() - out_pos_, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n <= 0) {
      closed_ = true;
      return ErrnoError("spdy: send");
    }
    out_pos_ += static_cast<size_t>(n);
  }
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  } else if (out_pos_ > (1 << 20)) {
    out_.erase(0, out_pos_);
    out_pos_ = 0;
  }
  return absl::OkStatus();
}

void SpdyConn::FinishAndClose(int timeout_ms) {
  absl::Time deadline = absl::Now() + absl::Milliseconds(timeout_ms);
  while (Pending() > 0 && !closed_ && absl::Now() < deadline) {
    struct pollfd p {socket_.Get(), POLLOUT, 0};
    ::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now())) + 1);
    if (!Flush().ok()) break;
  }
  ::shutdown(socket_.Get(), SHUT_WR);
  char buf[4096];
  while (!closed_ && absl::Now() < deadline) {
    struct pollfd p {socket_.Get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now())) + 1) <= 0) break;
    ssize_t n = ::recv(socket_.Get(), buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) break;
  }
  socket_.Reset();
}

}  // namespace podagent::spdy
