#include "tests/e2e/streaming/spdy_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "agent/streaming/spdy_frame.h"
#include "runtime/common/errors.h"

namespace podagent::testing {
namespace {

absl::StatusOr<UniqueFd> Dial(const std::string& host, int port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return ErrnoError("socket");
  struct sockaddr_in a {};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) return absl::InvalidArgumentError("bad host " + host);
  if (::connect(fd.Get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return ErrnoError("connect " + host);
  return fd;
}

}  // namespace

absl::Status SpdyClient::WriteAll(const std::string& bytes) {
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd_.Get(), bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoError("send");
    off += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<UpgradeResult> SpdyClient::Connect(const std::string& url, const std::vector<std::string>& protocols) {
  if (!absl::StartsWith(url, "http://")) return absl::InvalidArgumentError("not an http URL: " + url);
  std::string rest = url.substr(7);
  std::string hostport = rest.substr(0, rest.find('/'));
  std::string path = rest.substr(hostport.size());
  int port = 0;
  if (!absl::SimpleAtoi(hostport.substr(hostport.rfind(':') + 1), &port)) return absl::InvalidArgumentError(url);
  ASSIGN_OR_RETURN(fd_, Dial(hostport.substr(0, hostport.rfind(':')), port));
  std::string req = absl::StrCat("POST ", path, " HTTP/1.1\r\nHost: ", hostport,
                                 "\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nContent-Length: 0\r\n");
  for (const auto& p : protocols) absl::StrAppend(&req, "X-Stream-Protocol-Version: ", p, "\r\n");
  req += "\r\n";
  RETURN_IF_ERROR(WriteAll(req));
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  size_t end;
  while ((end = in_.find("\r\n\r\n")) == std::string::npos) {
    if (absl::Status st = ReadSome(deadline); !st.ok()) return st;
    if (closed && in_.find("\r\n\r\n") == std::string::npos) return absl::UnavailableError("closed: " + in_);
  }
  UpgradeResult r;
  std::string head = in_.substr(0, end);
  in_.erase(0, end + 4);
  std::vector<std::string> lines = absl::StrSplit(head, "\r\n");
  std::vector<std::string> status = absl::StrSplit(lines[0], ' ');
  if (status.size() < 2 || !absl::SimpleAtoi(status[1], &r.http_code)) return absl::InternalError("bad status " + lines[0]);
  for (const auto& l : lines) {
    if (absl::StartsWithIgnoreCase(l, "X-Stream-Protocol-Version:")) r.protocol = std::string(absl::StripAsciiWhitespace(l.substr(26)));
  }
  if (r.http_code != 101) {
    while (!closed && ReadSome(deadline).ok()) {
    }
    r.body = in_;
  }
  return r;
}

absl::Status SpdyClient::ReadSome(absl::Time deadline) {
  int ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
  if (ms <= 0) return absl::DeadlineExceededError("spdy client: timed out");
  struct pollfd p {fd_.Get(), POLLIN, 0};
  if (::poll(&p, 1, ms) <= 0) return absl::DeadlineExceededError("spdy client: timed out");
  char buf[65536];
  ssize_t n = ::recv(fd_.Get(), buf, sizeof buf, 0);
  if (n < 0 && errno == EINTR) return absl::OkStatus();
  if (n <= 0) {
    closed = true;
    return absl::OkStatus();
  }
  in_.append(buf, static_cast<size_t>(n));
  return absl::OkStatus();
}

absl::Status SpdyClient::ReadUntil(const std::function<bool()>& done, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    spdy::Frame f;
    for (;;) {
      auto n = spdy::ParseFrame(in_, f);
      if (!n.ok()) return n.status();
      if (*n == 0) break;
      in_.erase(0, *n);
      if (f.type == spdy::kData) {
        data[f.stream_id] += f.payload;
        if (f.fin()) fin.insert(f.stream_id);
      } else if (f.type == spdy::kSynReply) {
        RETURN_IF_ERROR(decompress_.Decompress(f.payload).status());
        replied_.insert(f.stream_id);
      } else if (f.type == spdy::kRstStream) {
        reset.insert(f.stream_id);
      }
    }
    if (done()) return absl::OkStatus();
    if (closed) return absl::UnavailableError("spdy client: the server closed the connection");
    RETURN_IF_ERROR(ReadSome(deadline));
  }
}

absl::StatusOr<uint32_t> SpdyClient::Open(const spdy::HeaderList& headers) {
  uint32_t id = next_id_;
  next_id_ += 2;
  ASSIGN_OR_RETURN(std::string block, compress_.Compress(headers));
  RETURN_IF_ERROR(WriteAll(spdy::SynStreamFrame(id, block, false)));
  RETURN_IF_ERROR(ReadUntil([&] { return replied_.count(id) > 0 || reset.count(id) > 0; }, absl::Seconds(10)));
  if (reset.count(id)) return absl::FailedPreconditionError(absl::StrCat("stream ", id, " was refused"));
  return id;
}

absl::Status SpdyClient::Send(uint32_t stream, const std::string& bytes, bool fin_flag) {
  return WriteAll(spdy::DataFrame(stream, bytes, fin_flag));
}

}  // namespace podagent::testing
