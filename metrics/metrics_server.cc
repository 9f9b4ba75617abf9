#include "metrics/metrics_server.h"

#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "CivetServer.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "prometheus/summary.h"
#include "prometheus/text_serializer.h"

namespace podagent {

bool GzipCompress(const std::string& body, std::string& out) {
  out.clear();
  if (body.size() > UINT32_MAX) return false;  // isal_zstream counts in 32 bits
  std::vector<uint8_t> level_buf(ISAL_DEF_LVL1_DEFAULT);
  // On the heap: the stream holds its 64 KiB history, and civetweb's workers run on small stacks.
  auto stream = std::make_unique<isal_zstream>();
  isal_zstream& zs = *stream;
  isal_deflate_init(&zs);
  zs.level = 1;
  zs.level_buf = level_buf.data();
  zs.level_buf_size = static_cast<uint32_t>(level_buf.size());
  zs.gzip_flag = IGZIP_GZIP;
  zs.flush = NO_FLUSH;
  zs.end_of_stream = 1;
  zs.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(body.data()));
  zs.avail_in = static_cast<uint32_t>(body.size());
  // Text compresses ~6x; what does not (stored blocks) grows by a few bytes per 64 KiB: one
  // doubling at most, and only for such input.
  out.resize(body.size() / 2 + 1024);
  size_t done = 0;
  while (true) {
    zs.next_out = reinterpret_cast<uint8_t*>(out.data()) + done;
    zs.avail_out = static_cast<uint32_t>(std::min<size_t>(out.size() - done, UINT32_MAX));
    if (isal_deflate(&zs) != COMP_OK) {
      out.clear();
      return false;
    }
    done = static_cast<size_t>(zs.next_out - reinterpret_cast<uint8_t*>(out.data()));
    if (zs.internal_state.state == ZSTATE_END) break;
    out.resize(out.size() * 2);
  }
  out.resize(done);
  return true;
}

std::string GzipCompress(const std::string& body) {
  std::string out;
  return GzipCompress(body, out) ? out : std::string();
}

namespace {

// A scrape's buffers. Kept between the scrapes of a path: a buffer allocated anew for each
// scrape is fresh memory after the pod text cache's malloc_trim (every housekeeping pass), and on
// these VMs a first touch costs ~13 us per 4 KiB page: at 500 pods the ~10 MB body and its gzip
// copy made the scrape after each pass 70-90 ms instead of 11 ms.
struct ScrapeBuffers {
  std::string body, gzipped;

  // Empties both for the next scrape; gives back what it will not need (the workload shrank).
  void Fit() {
    size_t need = body.size();
    FitOne(body, need);
    FitOne(gzipped, need / 2 + 1024);  // what GzipCompress sizes for such a body
  }
  static void FitOne(std::string& s, size_t need) {
    if (s.capacity() <= 2 * need + (size_t{1} << 20)) return s.clear();
    std::string smaller;
    smaller.reserve(need);
    s.swap(smaller);
  }
};

}  // namespace

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
    // One scrape at a time uses the kept buffers; one that comes meanwhile uses its own.
    std::unique_lock<std::mutex> kept(kept_mu_, std::try_to_lock);
    ScrapeBuffers own;
    ScrapeBuffers& buf = kept.owns_lock() ? kept_ : own;
    WriteBody(buf.body);
    const char* accept = mg_get_header(conn, "Accept-Encoding");
    bool gzip = accept != nullptr && std::strstr(accept, "gzip") != nullptr && GzipCompress(buf.body, buf.gzipped);
    const std::string& sent = gzip ? buf.gzipped : buf.body;
    mg_printf(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n%sContent-Length: %zu\r\n\r\n",
              gzip ? "Content-Encoding: gzip\r\n" : "", sent.size());
    mg_write(conn, sent.data(), sent.size());
    size_t sent_size = sent.size();
    buf.Fit();
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    latencies_.Observe(static_cast<double>(us.count()));
    bytes_.Increment(static_cast<double>(sent_size));
    scrapes_.Increment();
    return true;
  }

 private:
  void WriteBody(std::string& body) const {
    body.clear();
    const prometheus::TextSerializer serializer;
    for (const Part& p : parts_) {
      if (p.collectable) {
        body += serializer.Serialize(p.collectable->Collect());
      } else if (p.writer) {
        p.writer(body);
      }
    }
  }

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Counter& bytes_;
  prometheus::Counter& scrapes_;
  prometheus::Summary& latencies_;
  std::vector<Part> parts_;
  std::mutex kept_mu_;
  ScrapeBuffers kept_;  // guarded by kept_mu_
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
