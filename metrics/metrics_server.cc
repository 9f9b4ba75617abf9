#include "metrics/metrics_server.h"

#include <zlib.h>

#include <chrono>
#include <cstring>
#include <utility>

#include "CivetServer.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "prometheus/summary.h"
#include "prometheus/text_serializer.h"

namespace podagent {

std::string GzipCompress(const std::string& body) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) return "";
  std::string out(deflateBound(&zs, body.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  zs.avail_in = static_cast<uInt>(body.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? out : std::string();
}

class MetricsServer::Handler : public CivetHandler {
 public:
  explicit Handler(std::vector<Part> parts)
      : registry_(std::make_shared<prometheus::Registry>()),
        bytes_(prometheus::BuildCounter()
                   .Name("exposer_transferred_bytes_total")
                   .Help("Transferred bytes to metrics services")
                   .Register(*registry_)
                   .Add({})),
        scrapes_(prometheus::BuildCounter()
                     .Name("exposer_scrapes_total")
                     .Help("Number of times metrics were scraped")
                     .Register(*registry_)
                     .Add({})),
        latencies_(prometheus::BuildSummary()
                       .Name("exposer_request_latencies")
                       .Help("Latencies of serving scrape requests, in microseconds")
                       .Register(*registry_)
                       .Add({}, prometheus::Summary::Quantiles{{0.5, 0.05}, {0.9, 0.01}, {0.99, 0.001}})) {
    parts_.push_back(Part{registry_, nullptr});
    for (Part& p : parts) parts_.push_back(std::move(p));
  }

  bool handleGet(CivetServer*, mg_connection* conn) override {
    auto start = std::chrono::steady_clock::now();
    std::string body = Body();
    const char* accept = mg_get_header(conn, "Accept-Encoding");
    std::string gzipped;
    if (accept != nullptr && std::strstr(accept, "gzip") != nullptr) gzipped = GzipCompress(body);
    const std::string& sent = gzipped.empty() ? body : gzipped;
    mg_printf(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n%sContent-Length: %zu\r\n\r\n",
              gzipped.empty() ? "" : "Content-Encoding: gzip\r\n", sent.size());
    mg_write(conn, sent.data(), sent.size());
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    latencies_.Observe(static_cast<double>(us.count()));
    bytes_.Increment(static_cast<double>(sent.size()));
    scrapes_.Increment();
    return true;
  }

 private:
  std::string Body() const {
    std::string body;
    const prometheus::TextSerializer serializer;
    for (const Part& p : parts_) {
      if (p.collectable) {
        body += serializer.Serialize(p.collectable->Collect());
      } else if (p.writer) {
        p.writer(body);
      }
    }
    return body;
  }

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Counter& bytes_;
  prometheus::Counter& scrapes_;
  prometheus::Summary& latencies_;
  std::vector<Part> parts_;
};

MetricsServer::MetricsServer(const std::string& listen, int threads)
    : server_(std::make_unique<CivetServer>(
          std::vector<std::string>{"listening_ports", listen, "num_threads", std::to_string(threads)})) {}

MetricsServer::~MetricsServer() {
  server_.reset();  // stops the workers before the handlers go
}

void MetricsServer::Serve(const std::string& path, std::vector<Part> parts) {
  handlers_.push_back(std::make_unique<Handler>(std::move(parts)));
  server_->addHandler(path, handlers_.back().get());
}

std::vector<int> MetricsServer::Ports() const { return server_->getListeningPorts(); }

}  // namespace podagent
