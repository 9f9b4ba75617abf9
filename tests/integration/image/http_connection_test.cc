// ROOT: HttpDo against Debian's docker-registry on 127.0.0.1: requests made one after another on
// one thread reuse the open connection (a pull's requests pay one handshake); another thread,
// and a registry restarted in between, get a connection of their own and still succeed.
#include <gtest/gtest.h>

#include <thread>

#include "runtime/image/http_client.h"
#include "tests/fixtures/image/temp_dir.h"
#include "tests/fixtures/image/test_registry.h"

namespace podagent {
namespace {

using imagetest::TempDir;
using imagetest::TestRegistry;

absl::StatusOr<HttpResponse> GetV2(const TestRegistry& r) {
  HttpRequest req;
  req.url = "http://" + r.addr() + "/v2/";
  req.timeout_seconds = 10;
  return HttpDo(req);
}

TEST(HttpConnections, ROOT_SequentialRequestsOnAThreadReuseTheConnection) {
  TempDir root;
  auto r = TestRegistry::Start(root / "registry");
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<long> opened;
  for (int i = 0; i < 3; ++i) {
    auto resp = GetV2(**r);
    ASSERT_TRUE(resp.ok()) << resp.status();
    EXPECT_EQ(resp->status, 200);
    opened.push_back(resp->new_connections);
  }
  EXPECT_EQ(opened, (std::vector<long>{1, 0, 0})) << "connections opened per request";

  long other_thread = -1;
  std::thread t([&] {
    auto resp = GetV2(**r);
    if (resp.ok() && resp->status == 200) other_thread = resp->new_connections;
  });
  t.join();
  EXPECT_EQ(other_thread, 1) << "a request on another thread opens its own connection";

  (*r)->Stop();  // the kept connection dies with it: the next request must reconnect
  auto restarted = (*r)->Restart();
  ASSERT_TRUE(restarted.ok()) << restarted;
  auto resp = GetV2(**r);
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_EQ(resp->status, 200);
  EXPECT_EQ(resp->new_connections, 1);
}

}  // namespace
}  // namespace podagent
