#pragma once
// MetricsServer: the HTTP endpoint (civetweb) serving Prometheus text on a few paths. Each path
// is a list of parts written in order into one buffer: prometheus::Collectables (serialised by
// prometheus-cpp's TextSerializer: podagent's own families, the machine families) and text
// writers (ContainerCollector::AppendText, which writes the large cAdvisor families directly).
// Like prometheus::Exposer, whose response it keeps: each path also serves its own
// exposer_transferred_bytes_total, exposer_scrapes_total and exposer_request_latencies
// (microseconds) first, and the body is gzip-compressed when the request's Accept-Encoding
// names gzip (igzip, level 1: the body is large and compresses ~20x either way). The body and
// its gzip buffer are kept between the scrapes of a path (~10 MB, and ~5 MB since the gzip buffer
// is sized for half the body, at 500 containers), so that a scrape writes into memory already
// mapped instead of faulting in fresh pages.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "prometheus/collectable.h"

class CivetServer;

namespace podagent {

class MetricsServer {
 public:
  using TextWriter = std::function<void(std::string&)>;
  struct Part {
    std::shared_ptr<prometheus::Collectable> collectable;  // or
    TextWriter writer;
  };

  // Listens on `listen` ("HOST:PORT", port 0 = any) with `threads` worker threads; throws
  // std::runtime_error (CivetException) when it cannot bind.
  MetricsServer(const std::string& listen, int threads);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Serves `parts` on GET `path`. Call before the first request to that path.
  void Serve(const std::string& path, std::vector<Part> parts);
  std::vector<int> Ports() const;

  class Handler;

 private:
  std::unique_ptr<CivetServer> server_;
  std::vector<std::unique_ptr<Handler>> handlers_;
};

// `body` gzip-compressed (RFC 1952) by ISA-L's igzip at level 1, or "" when that fails. On a
// 9.6 MB scrape (500 containers) it takes 14 ms where zlib's fastest level took 50 ms, and its
// output is 10% smaller: Prometheus asks for gzip on every scrape.
std::string GzipCompress(const std::string& body);
// The same into `out` (its capacity reused); false, and `out` empty, when it fails.
bool GzipCompress(const std::string& body, std::string& out);

}  // namespace podagent
