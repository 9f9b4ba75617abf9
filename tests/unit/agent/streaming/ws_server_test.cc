// The streaming server's WebSocket transport, driven by a Boost.Beast client on loopback against
// a fake backend: exec runs /bin/sh with pipes (a real process, so exit codes and kills are the
// kernel's), attach and port-forward get one end of a socketpair whose other end the test plays
// (the shim's framing per runtime/shim/attach_server.h; a pod's TCP peer). Expected values come
// from Kubernetes' channel protocol: channel bytes 0-4 and 255, the v4 metav1.Status, port-forward's
// little-endian port prefix on channels 2i and 2i+1.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <condition_variable>
#include <map>
#include <optional>
#include <mutex>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agent/streaming/server.h"
#include "agent/streaming/spdy_frame.h"
#include "agent/streaming/spdy_headers.h"
#include "tests/unit/agent/streaming/fake_backend.h"

namespace podagent::streaming {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using boost::asio::ip::tcp;

using fake::FakeBackend;
using fake::SetNonBlocking;

struct Message {
  uint8_t channel;
  std::string data;
};

// A WebSocket client as client-go's is: binary messages, the channel byte first.
class Client {
 public:
  // Connects to `url` (http://HOST:PORT/PATH) offering `protocols`; the upgrade's response is
  // in response() whether or not it succeeded.
  Client(const std::string& url, const std::string& protocols, const std::string& query = "") : ws_(io_) {
    std::string rest = url.substr(std::string("http://").size());
    std::string hostport = rest.substr(0, rest.find('/'));
    target_ = rest.substr(rest.find('/')) + query;
    std::string host = hostport.substr(0, hostport.find(':'));
    int port = 0;
    (void)absl::SimpleAtoi(hostport.substr(hostport.find(':') + 1), &port);
    ws_.next_layer().connect(tcp::endpoint(boost::asio::ip::make_address(host), static_cast<uint16_t>(port)));
    ws_.set_option(websocket::stream_base::decorator([protocols](websocket::request_type& req) {
      if (!protocols.empty()) req.set(http::field::sec_websocket_protocol, protocols);
    }));
    ws_.binary(true);
    ws_.handshake(res_, hostport, target_, ec_);
  }

  bool upgraded() const { return !ec_; }
  const websocket::response_type& response() const { return res_; }
  std::string protocol() const { return std::string(res_[http::field::sec_websocket_protocol]); }

  void Send(uint8_t channel, const std::string& data) {
    std::string m(1, static_cast<char>(channel));
    m += data;
    ws_.write(boost::asio::buffer(m));
  }
  void SendRaw(const std::string& data) { ws_.write(boost::asio::buffer(data)); }
  // The next message; nullopt once the server has closed (or the connection broke).
  std::optional<Message> Read() {
    beast::flat_buffer b;
    beast::error_code ec;
    ws_.read(b, ec);
    if (ec) {
      closed_normally_ = ec == websocket::error::closed && ws_.reason().code == websocket::close_code::normal;
      if (ec == websocket::error::closed) close_reason_ = ws_.reason();
      return std::nullopt;
    }
    std::string s = beast::buffers_to_string(b.data());
    if (s.empty()) return Message{0xff, "<empty message>"};
    return Message{static_cast<uint8_t>(s[0]), s.substr(1)};
  }
  // Every message until the server closes, concatenated per channel.
  std::map<int, std::string> ReadAll() {
    std::map<int, std::string> out;
    while (auto m = Read()) out[m->channel] += m->data;
    return out;
  }
  bool closed_normally() const { return closed_normally_; }
  // The server's close frame; nullopt when the connection ended without one.
  const std::optional<websocket::close_reason>& close_reason() const { return close_reason_; }
  void Drop() { ws_.next_layer().close(); }
  int fd() { return ws_.next_layer().native_handle(); }

 private:
  boost::asio::io_context io_;
  websocket::stream<tcp::socket> ws_;
  websocket::response_type res_;
  std::string target_;
  beast::error_code ec_;
  bool closed_normally_ = false;
  std::optional<websocket::close_reason> close_reason_;
};

// The status line the server answers a WebSocket upgrade of `url` with (a plain socket, so a
// refusal reads the same whatever the client library makes of it).
std::string RawUpgradeStatus(const std::string& url, const std::string& protocol = "v4.channel.k8s.io") {
  std::string rest = url.substr(std::string("http://").size());
  std::string hostport = rest.substr(0, rest.find('/'));
  int port = 0;
  (void)absl::SimpleAtoi(hostport.substr(hostport.find(':') + 1), &port);
  boost::asio::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)));
  std::string req = "GET " + rest.substr(rest.find('/')) + " HTTP/1.1\r\nHost: " + hostport +
                    "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: " + protocol + "\r\n\r\n";
  boost::asio::write(s, boost::asio::buffer(req));
  std::string got;
  beast::error_code ec;
  char buf[512];
  while (got.find("\r\n") == std::string::npos) {
    size_t n = s.read_some(boost::asio::buffer(buf), ec);
    if (ec) break;
    got.append(buf, n);
  }
  return got.substr(0, got.find("\r\n"));
}

class WsServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(SessionLimits{}); }
  void Start(const SessionLimits& limits) {
    ServerOptions o;
    o.limits = limits;
    server_.reset();
    auto s = StreamingServer::Start(o, backend_);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(*s);
  }
  std::string ExecUrl(const std::string& script, bool stdin = false) {
    StreamRequest r;
    r.kind = StreamKind::kExec;
    r.container_id = "c1";
    r.cmd = {script};
    r.stdin = stdin;
    r.stdout = r.stderr = true;
    return server_->UrlFor(r).value();
  }
  std::string AttachUrl(const std::string& id, bool tty, bool stdin) {
    StreamRequest r;
    r.kind = StreamKind::kAttach;
    r.container_id = id;
    r.tty = tty;
    r.stdin = stdin;
    r.stdout = true;
    r.stderr = !tty;
    return server_->UrlFor(r).value();
  }
  std::string PortForwardUrl() {
    StreamRequest r;
    r.kind = StreamKind::kPortForward;
    r.pod_id = "p1";
    return server_->UrlFor(r).value();
  }

  FakeBackend backend_;
  std::unique_ptr<StreamingServer> server_;
};

nlohmann::json Status(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "error channel is not JSON: " << text;
  return j;
}

TEST_F(WsServerTest, ExecV4StdoutStderrAndNonZeroExitAsStatus) {
  Client c(ExecUrl("echo out; echo err >&2; exit 3"), "v4.channel.k8s.io");
  ASSERT_TRUE(c.upgraded()) << c.response();
  EXPECT_EQ(c.protocol(), "v4.channel.k8s.io");
  auto got = c.ReadAll();
  EXPECT_TRUE(c.closed_normally());
  EXPECT_EQ(got[1], "out\n");
  EXPECT_EQ(got[2], "err\n");
  auto st = Status(got[3]);
  EXPECT_EQ(st.value("status", ""), "Failure");
  EXPECT_EQ(st.value("reason", ""), "NonZeroExitCode");
  ASSERT_TRUE(st["details"]["causes"].is_array());
  EXPECT_EQ(st["details"]["causes"][0].value("reason", ""), "ExitCode");
  EXPECT_EQ(st["details"]["causes"][0].value("message", ""), "3");
}

TEST_F(WsServerTest, ExecV4SuccessStatus) {
  Client c(ExecUrl("printf hello"), "v4.channel.k8s.io");
  ASSERT_TRUE(c.upgraded());
  auto got = c.ReadAll();
  EXPECT_EQ(got[1], "hello");
  EXPECT_EQ(Status(got[3]).value("status", ""), "Success");
}

TEST_F(WsServerTest, SubprotocolIsTheClientsFirstServedChoice) {
  Client c(ExecUrl("true"), "base64.channel.k8s.io, v5.channel.k8s.io, v4.channel.k8s.io");
  ASSERT_TRUE(c.upgraded());
  EXPECT_EQ(c.protocol(), "v5.channel.k8s.io");
  Client d(ExecUrl("true"), "v4.channel.k8s.io,v5.channel.k8s.io");
  ASSERT_TRUE(d.upgraded());
  EXPECT_EQ(d.protocol(), "v4.channel.k8s.io");
  EXPECT_EQ(RawUpgradeStatus(ExecUrl("true"), "v4.base64.channel.k8s.io"), "HTTP/1.1 400 Bad Request");
}

TEST_F(WsServerTest, ExecV1SendsTheErrorAsText) {
  Client c(ExecUrl("exit 2"), "channel.k8s.io");
  ASSERT_TRUE(c.upgraded());
  EXPECT_EQ(c.protocol(), "channel.k8s.io");
  auto got = c.ReadAll();
  EXPECT_EQ(got[3], "command terminated with non-zero exit code: exit status 2");
}

TEST_F(WsServerTest, ExecV5StdinAndItsCloseSignal) {
  Client c(ExecUrl("cat; echo done", true), "v5.channel.k8s.io");
  ASSERT_TRUE(c.upgraded());
  c.Send(0, "abc\n");
  c.Send(0, "def\n");
  c.Send(255, std::string(1, '\0'));  // stdin is closed: cat sees EOF
  auto got = c.ReadAll();
  EXPECT_EQ(got[1], "abc\ndef\ndone\n");
  EXPECT_EQ(Status(got[3]).value("status", ""), "Success");
}

TEST_F(WsServerTest, TokensAreSingleUse) {
  std::string url = ExecUrl("true");
  {
    Client c(url, "v4.channel.k8s.io");
    ASSERT_TRUE(c.upgraded());
    c.ReadAll();
  }
  EXPECT_EQ(RawUpgradeStatus(url), "HTTP/1.1 404 Not Found");
}

TEST_F(WsServerTest, ClientGoingAwayKillsTheCommand) {
  Client c(ExecUrl("echo started; exec sleep 1000"), "v4.channel.k8s.io");
  ASSERT_TRUE(c.upgraded());
  auto first = c.Read();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->data, "started\n");
  pid_t pid;
  {
    std::lock_guard<std::mutex> l(backend_.mu);
    ASSERT_EQ(backend_.exec_pids.size(), 1u);
    pid = backend_.exec_pids[0];
  }
  c.Drop();
  // The kernel's view: the process is gone (reaped by the session) within a few seconds.
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (::kill(pid, 0) == 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  EXPECT_NE(::kill(pid, 0), 0) << "exec'd command " << pid << " outlived its client";
}

// [stream][32-bit length][bytes], as the shim writes to an attach client.
std::string ShimOut(char stream, const std::string& data) {
  std::string f(1, stream);
  for (int i = 0; i < 4; ++i) f += static_cast<char>((data.size() >> (24 - 8 * i)) & 0xff);
  return f + data;
}

std::string ReadSome(int fd, size_t want) {
  std::string got;
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (got.size() < want && absl::Now() < deadline) {
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      got.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else {
      absl::SleepFor(absl::Milliseconds(10));
    }
  }
  return got;
}

// True once the peer has shut down its writing side (recv returns 0), within 10 s.
bool SeesEof(int fd) {
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    char c;
    ssize_t n = ::recv(fd, &c, 1, MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0 && errno != EAGAIN) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

TEST_F(WsServerTest, AttachJoinsTheShimsStreams) {
  Client c(AttachUrl("c1", false, true), "v5.channel.k8s.io");
  ASSERT_TRUE(c.upgraded());
  int shim = backend_.WaitPeer(backend_.shim_peer);
  ASSERT_GE(shim, 0);
  std::string frames = ShimOut(1, "to stdout") + ShimOut(2, "to stderr");
  ASSERT_EQ(::send(shim, frames.data(), frames.size(), 0), static_cast<ssize_t>(frames.size()));
  c.Send(0, "typed");
  EXPECT_EQ(ReadSome(shim, 5), "typed");  // no tty: stdin reaches the shim as plain bytes
  c.Send(255, std::string(1, '\0'));
  EXPECT_TRUE(SeesEof(shim)) << "the client's stdin close must half-close the shim socket";
  ::shutdown(shim, SHUT_WR);  // the container exits
  auto got = c.ReadAll();
  EXPECT_EQ(got[1], "to stdout");
  EXPECT_EQ(got[2], "to stderr");
  EXPECT_EQ(Status(got[3]).value("status", ""), "Success");
}

TEST_F(WsServerTest, AttachTtyFramesStdinAndResize) {
  Client c(AttachUrl("c1", true, true), "v4.channel.k8s.io");
  ASSERT_TRUE(c.upgraded());
  int shim = backend_.WaitPeer(backend_.shim_peer);
  ASSERT_GE(shim, 0);
  c.Send(4, R"({"Width":100,"Height":40})");
  c.Send(0, "ls\r");
  // 'r' + length 4 + cols 100, rows 40 (16-bit big-endian); 'd' + length 3 + "ls\r".
  EXPECT_EQ(ReadSome(shim, 9 + 8), std::string("r\0\0\0\4\0\x64\0\x28", 9) + std::string("d\0\0\0\3ls\r", 8));
}

TEST_F(WsServerTest, AttachToAStoppedContainerReportsTheError) {
  Client c(AttachUrl("gone", false, false), "v4.channel.k8s.io");
  ASSERT_TRUE(c.upgraded());
  auto got = c.ReadAll();
  auto st = Status(got[3]);
  EXPECT_EQ(st.value("status", ""), "Failure");
  EXPECT_NE(st.value("message", "").find("not running"), std::string::npos) << got[3];
}

TEST_F(WsServerTest, PortForwardPrefixesEachChannelWithItsPort) {
  Client c(PortForwardUrl(), "v4.channel.k8s.io", "?port=8080&port=9");
  ASSERT_TRUE(c.upgraded()) << c.response();
  EXPECT_EQ(c.protocol(), "v4.channel.k8s.io");
  // Port 8080 = 0x1f90, little-endian, first on data channel 0 and error channel 1; port 9 on 2, 3.
  std::map<int, std::string> first;
  for (int i = 0; i < 4; ++i) {
    auto m = c.Read();
    ASSERT_TRUE(m.has_value());
    if (!first.count(m->channel)) first[m->channel] = m->data;
  }
  EXPECT_EQ(first[0], std::string("\x90\x1f", 2));
  EXPECT_EQ(first[1], std::string("\x90\x1f", 2));
  EXPECT_EQ(first[2], std::string("\x09\x00", 2));
  EXPECT_EQ(first[3], std::string("\x09\x00", 2));
  int pod = backend_.WaitPeer(backend_.pod_peers[8080]);
  ASSERT_GE(pod, 0);
  c.Send(0, "GET / HTTP/1.0\r\n\r\n");
  EXPECT_EQ(ReadSome(pod, 18), "GET / HTTP/1.0\r\n\r\n");
  std::string reply = "HTTP/1.0 200 OK\r\n\r\nhi";
  ASSERT_EQ(::send(pod, reply.data(), reply.size(), 0), static_cast<ssize_t>(reply.size()));
  ::shutdown(pod, SHUT_WR);
  auto rest = c.ReadAll();
  EXPECT_EQ(rest[0], reply);
  EXPECT_NE(rest[3].find("error forwarding port 9"), std::string::npos) << rest[3];
}

// client-go's tunneling dialer (crictl port-forward --transport websocket): SPDY frames as the
// binary messages' bytes, the portforward.k8s.io streams inside.
TEST_F(WsServerTest, PortForwardSpdyTunnelledInWebSocket) {
  Client c(PortForwardUrl(), "SPDY/3.1+portforward.k8s.io");
  ASSERT_TRUE(c.upgraded()) << c.response();
  EXPECT_EQ(c.protocol(), "SPDY/3.1+portforward.k8s.io");
  spdy::HeaderCompressor hc;
  auto open = [&](uint32_t id, const std::string& type) {
    auto block = hc.Compress({{"streamtype", type}, {"port", "8080"}, {"requestid", "0"}});
    ASSERT_TRUE(block.ok());
    c.SendRaw(spdy::SynStreamFrame(id, *block, false));
  };
  open(1, "error");
  open(3, "data");
  c.SendRaw(spdy::DataFrame(3, "ping", false));
  int pod = backend_.WaitPeer(backend_.pod_peers[8080]);
  ASSERT_GE(pod, 0);
  EXPECT_EQ(ReadSome(pod, 4), "ping");
  ASSERT_EQ(::send(pod, "pong", 4, 0), 4);
  std::string in, got;
  while (got != "pong") {
    auto m = c.Read();
    ASSERT_TRUE(m.has_value()) << "closed before the pod's reply";
    in += std::string(1, static_cast<char>(m->channel)) + m->data;  // a raw message: no channel byte
    spdy::Frame f;
    for (;;) {
      auto n = spdy::ParseFrame(in, f);
      ASSERT_TRUE(n.ok()) << n.status();
      if (*n == 0) break;
      in.erase(0, *n);
      if (f.type == spdy::kData && f.stream_id == 3) got += f.payload;
    }
  }
  EXPECT_EQ(got, "pong");
}

TEST_F(WsServerTest, PortForwardNeedsAPort) {
  EXPECT_EQ(RawUpgradeStatus(PortForwardUrl()), "HTTP/1.1 400 Bad Request");
}

TEST_F(WsServerTest, SlowClientDoesNotGrowTheServersBuffers) {
  Client c(AttachUrl("c1", false, false), "v4.channel.k8s.io");
  ASSERT_TRUE(c.upgraded());
  int one = 4096;
  ::setsockopt(c.fd(), SOL_SOCKET, SO_RCVBUF, &one, sizeof one);
  int shim = backend_.WaitPeer(backend_.shim_peer);
  ASSERT_GE(shim, 0);
  SetNonBlocking(shim);
  // The client reads nothing: the server stops reading the shim once its 256 KiB queue and the
  // sockets' buffers are full, so the shim's writes block (EAGAIN) after a bounded amount.
  std::string frame = ShimOut(1, std::string(16 * 1024, 'x'));
  size_t sent = 0;
  absl::Time quiet_since = absl::Now();
  while (absl::Now() - quiet_since < absl::Milliseconds(500) && sent < (64u << 20)) {
    ssize_t n = ::send(shim, frame.data(), frame.size(), MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      quiet_since = absl::Now();
    } else {
      absl::SleepFor(absl::Milliseconds(5));
    }
  }
  EXPECT_LT(sent, 16u << 20) << "the server kept reading a shim its client does not drain";
}

TEST_F(WsServerTest, IdleSessionIsClosed) {
  SessionLimits l;
  l.idle_timeout = absl::Milliseconds(300);
  Start(l);
  Client c(AttachUrl("c1", false, true), "v4.channel.k8s.io");
  ASSERT_TRUE(c.upgraded());
  absl::Time start = absl::Now();
  c.ReadAll();  // returns once the server closes the session
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  // A close frame says why (RFC 6455 7.4.1: 1001 going away), not a dropped TCP connection.
  ASSERT_TRUE(c.close_reason().has_value()) << "the connection ended without a close frame";
  EXPECT_EQ(c.close_reason()->code, websocket::close_code::going_away);
  EXPECT_EQ(std::string(c.close_reason()->reason.c_str()), "idle timeout");
}

}  // namespace
}  // namespace podagent::streaming
