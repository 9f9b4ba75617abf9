// metrics/metrics_server.h on a loopback port: the parts in order after the exposer_* families,
// plain and gzip-compressed as prometheus::Exposer answered.
#include "metrics/metrics_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

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

std::string Gunzip(const std::string& in) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return "";
  std::string out(size_t{1} << 22, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return rc == Z_STREAM_END ? out : "inflate failed";
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

TEST(MetricsServer, BindFailureThrows) {
  MetricsServer first("127.0.0.1:0", 1);
  std::string taken = "127.0.0.1:" + std::to_string(first.Ports().front());
  EXPECT_THROW(MetricsServer(taken, 1), std::exception);
}

}  // namespace
}  // namespace podagent
