// metrics/metrics_server.h on a loopback port: the parts in order after the exposer_* families,
// plain and gzip-compressed as prometheus::Exposer answered.
#include "metrics/metrics_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"

namespace podagent {
namespace {

// One HTTP/1.0 GET of `path` on 127.0.0.1:`port`: the whole response, headers included.
std::string RawGet(int port, const std::string& path, const std::string& extra_headers) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    ::close(fd);
    return "";
  }
  std::string req = "GET " + path + " HTTP/1.0\r\n" + extra_headers + "\r\n";
  (void)!::write(fd, req.data(), req.size());
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof(buf))) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

// zlib's inflate, an implementation independent of the server's compressor: the whole of `in`
// must be one gzip member, or the result says what failed.
std::string Gunzip(const std::string& in, size_t max_out = size_t{1} << 22) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return "";
  std::string out(max_out + 1, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  bool trailing = zs.avail_in != 0;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return "inflate failed";
  return trailing ? "bytes after the gzip member" : out;
}

class MetricsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    registry_ = std::make_shared<prometheus::Registry>();
    prometheus::BuildCounter().Name("a_total").Help("A.").Register(*registry_).Add({{"k", "v"}}).Increment(3);
    server_ = std::make_unique<MetricsServer>("127.0.0.1:0", 2);
    std::string big(200000, 'x');
    server_->Serve("/metrics", {{registry_, nullptr}, {nullptr, [](std::string& out) { out += "b 1\n"; }}});
    server_->Serve("/metrics/big", {{nullptr, [big](std::string& out) { out += "# " + big + "\n"; }}});
    ASSERT_FALSE(server_->Ports().empty());
    port_ = server_->Ports().front();
  }
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<MetricsServer> server_;
  int port_ = 0;
};

TEST_F(MetricsServerTest, PartsInOrderAfterTheExposerFamilies) {
  std::string r = RawGet(port_, "/metrics", "");
  ASSERT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos) << r;
  EXPECT_EQ(r.find("Content-Encoding"), std::string::npos) << r;
  std::string body = r.substr(r.find("\r\n\r\n") + 4);
  size_t exposer = body.find("# TYPE exposer_scrapes_total counter\nexposer_scrapes_total 0\n");
  size_t mine = body.find("# HELP a_total A.\n# TYPE a_total counter\na_total{k=\"v\"} 3\n");
  size_t writer = body.find("b 1\n");
  ASSERT_NE(exposer, std::string::npos) << body;
  ASSERT_NE(mine, std::string::npos) << body;
  ASSERT_NE(writer, std::string::npos) << body;
  EXPECT_LT(exposer, mine);
  EXPECT_EQ(writer + 4, body.size()) << "the writer's text comes last";
  // The second scrape counts the first.
  EXPECT_NE(RawGet(port_, "/metrics", "").find("\nexposer_scrapes_total 1\n"), std::string::npos);
}

TEST_F(MetricsServerTest, GzipWhenTheClientAcceptsIt) {
  std::string plain = RawGet(port_, "/metrics/big", "");
  std::string r = RawGet(port_, "/metrics/big", "Accept-Encoding: deflate, gzip\r\n");
  ASSERT_NE(r.find("Content-Encoding: gzip\r\n"), std::string::npos) << r.substr(0, 300);
  std::string body = r.substr(r.find("\r\n\r\n") + 4);
  EXPECT_LT(body.size(), 20000u);
  std::string text = Gunzip(body);
  EXPECT_NE(text.find("# " + std::string(200000, 'x') + "\n"), std::string::npos);
  std::string plain_body = plain.substr(plain.find("\r\n\r\n") + 4);
  EXPECT_EQ(text.substr(text.find("# xxx")), plain_body.substr(plain_body.find("# xxx")));
}

// Text as a scrape's (~9.6 MB at 500 containers), nothing, and bytes that do not compress (the
// output outgrows its first buffer) all come back from zlib as they went in.
TEST(GzipCompress, RoundTripsThroughZlib) {
  std::string text;
  for (int i = 0; text.size() < (size_t{10} << 20); ++i) {
    text += "container_cpu_usage_seconds_total{container=\"c" + std::to_string(i % 997) + "\",id=\"/podagent/pod" +
            std::to_string(i) + "\"} " + std::to_string(i * 7919 % 100003) + " 1764745200000\n";
  }
  std::string noise(size_t{1} << 20, '\0');
  uint64_t x = 88172645463325252ull;
  for (char& c : noise) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x);
  }
  for (const std::string* in : {&text, &noise}) {
    std::string gz = GzipCompress(*in);
    ASSERT_FALSE(gz.empty());
    std::string back = Gunzip(gz, in->size());
    EXPECT_TRUE(back == *in) << "input of " << in->size() << " bytes; got " << back.size() << ": "
                             << back.substr(0, 40);
  }
  EXPECT_LT(GzipCompress(text).size(), text.size() / 4);
  // Into a buffer that held a larger output before: only the new member comes back.
  std::string reused;
  ASSERT_TRUE(GzipCompress(noise, reused));
  ASSERT_TRUE(GzipCompress(text, reused));
  EXPECT_TRUE(Gunzip(reused, text.size()) == text);
  std::string empty = GzipCompress("");
  ASSERT_FALSE(empty.empty()) << "a gzip member even for no bytes";
  EXPECT_EQ(Gunzip(empty), "");
}

// The body without the exposer families (each path's own): what the parts wrote.
std::string PartsText(const std::string& response) {
  size_t body = response.find("\r\n\r\n");
  if (body == std::string::npos) return "no body: " + response.substr(0, 200);
  std::string out;
  for (absl::string_view line : absl::StrSplit(absl::string_view(response).substr(body + 4), '\n')) {
    if (absl::StartsWith(line, "exposer_") || absl::StartsWith(line, "# HELP exposer_") ||
        absl::StartsWith(line, "# TYPE exposer_")) {
      continue;
    }
    absl::StrAppend(&out, line, "\n");
  }
  out.pop_back();  // the split's last piece is what follows the last newline
  return out;
}

// The buffers kept between scrapes: a smaller body after a larger one is only itself, plain and
// gzip-compressed.
TEST(MetricsServer, ASmallerScrapeAfterALargerOneIsOnlyItself) {
  MetricsServer server("127.0.0.1:0", 1);
  std::atomic<size_t> size{300000};
  server.Serve("/m", {{nullptr, [&size](std::string& out) { out += "# " + std::string(size, 'x') + "\nend 1\n"; }}});
  int port = server.Ports().front();
  for (const char* gzip : {"", "Accept-Encoding: gzip\r\n"}) {
    size = 300000;
    std::string big = RawGet(port, "/m", gzip);  // fills the kept buffers
    ASSERT_EQ(big.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << big.substr(0, 200);
    size = 3;
    std::string r = RawGet(port, "/m", gzip);
    std::string body = r.substr(r.find("\r\n\r\n") + 4);
    std::string text = *gzip ? Gunzip(body) : body;
    EXPECT_EQ(PartsText("\r\n\r\n" + text), "# xxx\nend 1\n") << (*gzip ? "gzip" : "plain");
  }
}

// Two scrapes of one path at the same time (two workers): each answer is whole and only its own,
// although only one of them can use the kept buffers.
TEST(MetricsServer, ScrapesAtTheSameTimeEachGetTheirOwnBody) {
  MetricsServer server("127.0.0.1:0", 2);
  std::mutex mu;
  std::condition_variable cv;
  int inside = 0;
  std::atomic<int> next{0};
  server.Serve("/m", {{nullptr, [&](std::string& out) {
                       int me = next++;
                       out += "first " + std::to_string(me) + "\n";
                       std::unique_lock<std::mutex> lock(mu);
                       ++inside;
                       cv.notify_all();
                       // Both writers are inside at once (or 5 s passed and the check below fails).
                       cv.wait_for(lock, std::chrono::seconds(5), [&] { return inside >= 2; });
                       out += "second " + std::to_string(me) + "\n";
                     }}});
  int port = server.Ports().front();
  std::string a, b;
  std::thread ta([&] { a = PartsText(RawGet(port, "/m", "")); });
  std::thread tb([&] { b = PartsText(RawGet(port, "/m", "")); });
  ta.join();
  tb.join();
  EXPECT_EQ(inside, 2);
  std::set<std::string> got = {a, b};
  EXPECT_EQ(got, (std::set<std::string>{"first 0\nsecond 0\n", "first 1\nsecond 1\n"})) << a << "|" << b;
}

TEST(MetricsServer, BindFailureThrows) {
  MetricsServer first("127.0.0.1:0", 1);
  std::string taken = "127.0.0.1:" + std::to_string(first.Ports().front());
  EXPECT_THROW(MetricsServer(taken, 1), std::exception);
}

}  // namespace
}  // namespace podagent
