// Subprotocol choice, the port list and routing of a WebSocket streaming request (ws_sessions.h).
#include <spdlog/spdlog.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/streaming/http_upgrade.h"
#include "agent/streaming/ws_sessions.h"
#include "runtime/common/errors.h"

namespace podagent::streaming {
namespace {

void Reject400(int fd, const std::string& body) {
  WriteAll(fd, HttpResponse(400, "Bad Request", body + "\n"), absl::Seconds(2)).IgnoreError();
}

}  // namespace

bool NegotiateWs(const std::vector<std::string>& offered, StreamKind kind, std::string& chosen, int& version) {
  chosen.clear();
  if (offered.empty()) {
    version = kind == StreamKind::kPortForward ? 4 : 1;
    return true;
  }
  for (const std::string& p : offered) {
    int v = 0;
    if (kind == StreamKind::kPortForward) {
      v = p == "v4.channel.k8s.io" || p == "portforward.k8s.io" || p == kSpdyTunnelProtocol ? 4 : 0;
    } else if (p == "v5.channel.k8s.io") {
      v = 5;
    } else if (p == "v4.channel.k8s.io") {
      v = 4;
    } else if (p == "channel.k8s.io") {
      v = 1;
    }
    if (v > 0) {
      chosen = p;
      version = v;
      return true;
    }
  }
  return false;
}

absl::StatusOr<std::vector<int32_t>> PortsFromQuery(const std::string& target) {
  std::vector<int32_t> ports;
  size_t q = target.find('?');
  if (q == std::string::npos) return absl::InvalidArgumentError("query parameter \"port\" is required");
  for (absl::string_view param : absl::StrSplit(target.substr(q + 1), '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(param, absl::MaxSplits('=', 1));
    if (kv.first != "port") continue;
    if (kv.second.empty()) return absl::InvalidArgumentError("query parameter \"port\" cannot be empty");
    for (absl::string_view s : absl::StrSplit(kv.second, ',')) {
      int32_t port = 0;
      if (!absl::SimpleAtoi(s, &port) || port < 1 || port > 65535) {
        return absl::InvalidArgumentError(absl::StrCat("unable to parse \"", s, "\" as a port"));
      }
      ports.push_back(port);
    }
  }
  if (ports.empty()) return absl::InvalidArgumentError("query parameter \"port\" is required");
  if (ports.size() > 64) return absl::InvalidArgumentError("too many ports");
  return ports;
}

void ServeWs(UniqueFd fd, const HttpRequest& req, const StreamRequest& r, StreamBackend& backend,
             const SessionLimits& limits, int stop_fd) {
  const char* kind = KindPath(r.kind);
  std::string protocol;
  int version = 0;
  if (!NegotiateWs(req.ws_protocols, r.kind, protocol, version)) {
    spdlog::warn("streaming: {} for {}{}: no WebSocket subprotocol this server speaks was offered", kind,
                 r.container_id, r.pod_id);
    Reject400(fd.Get(), "requested protocol(s) are not supported");
    return;
  }
  bool tunnel = r.kind == StreamKind::kPortForward && protocol == kSpdyTunnelProtocol;
  std::vector<int32_t> ports;
  if (r.kind == StreamKind::kPortForward && !tunnel) {
    auto parsed = PortsFromQuery(req.target);
    if (!parsed.ok()) {
      Reject400(fd.Get(), Msg(parsed.status()));
      return;
    }
    ports = std::move(*parsed);
  }
  spdlog::info("streaming: {} {}{} over WebSocket {}", kind, r.container_id, r.pod_id,
               protocol.empty() ? "(no subprotocol)" : protocol);
  std::string request = req.head + req.extra;
  if (tunnel) {
    ServePortForwardTunnelWs(std::move(fd), request, r, backend, limits, stop_fd);
  } else if (r.kind == StreamKind::kPortForward) {
    ServePortForwardWs(std::move(fd), request, protocol, r, ports, backend, limits, stop_fd);
  } else if (r.kind == StreamKind::kAttach) {
    ServeAttachWs(std::move(fd), request, protocol, r, version, backend, limits, stop_fd);
  } else {
    ServeExecWs(std::move(fd), request, protocol, r, version, backend, limits, stop_fd);
  }
}

}  // namespace podagent::streaming
