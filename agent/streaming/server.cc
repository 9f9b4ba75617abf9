#include "agent/streaming/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <optional>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/streaming/attach_spdy.h"
#include "agent/streaming/exec_spdy.h"
#include "agent/streaming/http_upgrade.h"
#include "agent/streaming/port_forward_spdy.h"
#include "agent/streaming/token_store.h"
#include "agent/streaming/ws_sessions.h"
#include "runtime/common/errors.h"

namespace podagent::streaming {
namespace {

// Below the 10 s Stop() waits for sessions, so no session thread outlives the server.
constexpr absl::Duration kHandshakeTimeout = absl::Seconds(5);

absl::StatusOr<UniqueFd> Listen(const std::string& listen, std::string& bound) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return absl::InvalidArgumentError("streaming.listen: expected HOST:PORT, got " + listen);
  std::string host = listen.substr(0, colon);
  int port = 0;
  if (!absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError("streaming.listen: bad port in " + listen);
  }
  struct sockaddr_in a {};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) {
    return absl::InvalidArgumentError("streaming.listen: host must be an IPv4 address, got " + host);
  }
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return ErrnoError("streaming: socket");
  int one = 1;
  ::setsockopt(fd.Get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.Get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return ErrnoError("streaming: bind " + listen);
  if (::listen(fd.Get(), 128) != 0) return ErrnoError("streaming: listen " + listen);
  socklen_t len = sizeof a;
  ::getsockname(fd.Get(), reinterpret_cast<sockaddr*>(&a), &len);
  bound = absl::StrCat(host, ":", ntohs(a.sin_port));
  return fd;
}

// The channel protocol version the client offered first among those served (0 when none):
// v4/v3/v2.channel.k8s.io, channel.k8s.io (1) for exec and attach; portforward.k8s.io (1).
int NegotiateSpdy(const HttpRequest& r, StreamKind kind, std::string& chosen) {
  for (const std::string& p : r.protocols) {
    int v = 0;
    if (kind == StreamKind::kPortForward) {
      v = p == "portforward.k8s.io" ? 1 : 0;
    } else if (p == "v4.channel.k8s.io") {
      v = 4;
    } else if (p == "v3.channel.k8s.io") {
      v = 3;
    } else if (p == "v2.channel.k8s.io") {
      v = 2;
    } else if (p == "channel.k8s.io") {
      v = 1;
    }
    if (v > 0) {
      chosen = p;
      return v;
    }
  }
  return 0;
}

std::atomic<StreamingServer*> active_server{nullptr};

}  // namespace

StreamingServer* ActiveStreamingServer() { return active_server.load(); }
void SetActiveStreamingServer(StreamingServer* server) { active_server.store(server); }

struct StreamingServer::Impl {
  ServerOptions options;
  StreamBackend& backend;
  TokenStore tokens;
  UniqueFd listen_fd, stop_fd;
  std::string address;
  std::thread accept_thread;
  mutable std::mutex mu;
  std::condition_variable idle;
  size_t active = 0;
  bool stopped = false;

  Impl(const ServerOptions& o, StreamBackend& b) : options(o), backend(b), tokens(o.token_ttl, o.max_tokens) {}

  void AcceptLoop();
  void Serve(UniqueFd fd);
  void Route(int fd, const HttpRequest& req, UniqueFd& owned);
  void Reject(int fd, int code, const std::string& reason, const std::string& body) {
    WriteAll(fd, HttpResponse(code, reason, body + "\n"), absl::Seconds(2)).IgnoreError();
  }
};

void StreamingServer::Impl::AcceptLoop() {
  for (;;) {
    struct pollfd p[2] = {{listen_fd.Get(), POLLIN, 0}, {stop_fd.Get(), POLLIN, 0}};
    if (::poll(p, 2, -1) < 0 && errno != EINTR) break;
    if (p[1].revents) break;
    if (!(p[0].revents & POLLIN)) continue;
    UniqueFd c(::accept4(listen_fd.Get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!c) continue;
    std::unique_lock<std::mutex> l(mu);
    if (active >= options.max_sessions) {
      l.unlock();
      spdlog::warn("streaming: {} sessions active, refusing a connection", options.max_sessions);
      Reject(c.Get(), 503, "Service Unavailable", "too many streaming sessions; retry later");
      continue;
    }
    ++active;
    l.unlock();
    std::thread([this, fd = std::move(c)]() mutable {
      Serve(std::move(fd));
      std::lock_guard<std::mutex> g(mu);
      --active;
      idle.notify_all();
    }).detach();
  }
}

void StreamingServer::Impl::Serve(UniqueFd fd) {
  auto req = ReadHttpRequest(fd.Get(), kHandshakeTimeout);
  if (!req.ok()) {
    spdlog::info("streaming: bad request: {}", req.status().message());
    Reject(fd.Get(), 400, "Bad Request", Msg(req.status()));
    return;
  }
  Route(fd.Get(), *req, fd);
}

void StreamingServer::Impl::Route(int fd, const HttpRequest& req, UniqueFd& owned) {
  std::vector<std::string> parts = absl::StrSplit(req.target.substr(0, req.target.find('?')), '/', absl::SkipEmpty());
  std::optional<StreamRequest> r;
  if (parts.size() == 2) r = tokens.Take(parts[1]);
  if (!r || parts[0] != KindPath(r->kind)) {
    spdlog::warn("streaming: {} {}: no such stream (unknown, used or expired token)", req.method,
                 parts.size() == 2 ? "/" + parts[0] + "/<token>" : req.target.substr(0, 64));
    Reject(fd, 404, "Not Found", "unknown, used or expired streaming URL; ask the runtime for a new one");
    return;
  }
  if (req.upgrade == "websocket") return ServeWs(std::move(owned), req, *r, backend, options.limits, stop_fd.Get());
  if (req.upgrade != "spdy/3.1") {
    spdlog::warn("streaming: {} for {}: unsupported upgrade '{}'", parts[0], r->container_id + r->pod_id, req.upgrade);
    Reject(fd, 400, "Bad Request", "expected an upgrade to SPDY/3.1 or websocket");
    return;
  }
  std::string protocol;
  int version = NegotiateSpdy(req, r->kind, protocol);
  if (version == 0) {
    Reject(fd, 403, "Forbidden", "no X-Stream-Protocol-Version this server speaks was offered");
    return;
  }
  if (!WriteAll(fd, SwitchingProtocols("SPDY/3.1", protocol), kHandshakeTimeout).ok()) return;
  spdlog::info("streaming: {} {}{} over SPDY/3.1 {}", parts[0], r->container_id, r->pod_id, protocol);
  spdy::SpdyConn conn(std::move(owned), req.extra);
  if (r->kind == StreamKind::kPortForward) {
    ServePortForwardSpdy(conn, *r, backend, options.limits, stop_fd.Get());
  } else if (r->kind == StreamKind::kAttach) {
    ServeAttachSpdy(conn, *r, version, backend, options.limits, stop_fd.Get());
  } else {
    ServeExecSpdy(conn, *r, version, backend, options.limits, stop_fd.Get());
  }
}

absl::StatusOr<std::unique_ptr<StreamingServer>> StreamingServer::Start(const ServerOptions& options,
                                                                        StreamBackend& backend) {
  auto impl = std::make_unique<Impl>(options, backend);
  ASSIGN_OR_RETURN(impl->listen_fd, Listen(options.listen, impl->address));
  impl->stop_fd = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!impl->stop_fd) return ErrnoError("streaming: eventfd");
  Impl* raw = impl.get();
  impl->accept_thread = std::thread([raw] { raw->AcceptLoop(); });
  return std::unique_ptr<StreamingServer>(new StreamingServer(std::move(impl)));
}

StreamingServer::StreamingServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StreamingServer::~StreamingServer() { Stop(); }

std::string StreamingServer::address() const { return impl_->address; }

absl::StatusOr<std::string> StreamingServer::UrlFor(StreamRequest request) {
  const char* kind = KindPath(request.kind);
  ASSIGN_OR_RETURN(std::string token, impl_->tokens.Insert(std::move(request)));
  return absl::StrCat("http://", impl_->address, "/", kind, "/", token);
}

size_t StreamingServer::active_sessions() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->active;
}

void StreamingServer::Stop() {
  {
    std::lock_guard<std::mutex> l(impl_->mu);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  uint64_t one = 1;
  ssize_t ignored = ::write(impl_->stop_fd.Get(), &one, sizeof one);
  (void)ignored;
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
  impl_->listen_fd.Reset();
  std::unique_lock<std::mutex> l(impl_->mu);
  // Sessions see the stop fd within a poll round and kill their commands.
  impl_->idle.wait_for(l, std::chrono::seconds(10), [&] { return impl_->active == 0; });
}

}  // namespace podagent::streaming
