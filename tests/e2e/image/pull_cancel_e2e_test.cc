// e2e: a registry that trickles a layer a byte at a time (CannedRegistry on 127.0.0.1) against
// the real daemon. A PullImage whose client gives up must end in the daemon too (its handler
// logs the cancellation and stops fetching), and a later pull of the same image is not stuck
// behind the abandoned one: it fetches on its own and ends at its own deadline.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "tests/integration/image/canned_registry.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/test_daemon.h"

namespace podagent {
namespace {

using imagetest::CannedRegistry;
using testing::CriClient;
using testing::TestDaemon;
namespace cri = ::runtime::v1;

grpc::Status PullWithin(CriClient& client, const std::string& ref, std::chrono::milliseconds timeout) {
  cri::PullImageRequest req;
  req.mutable_image()->set_image(ref);
  cri::PullImageResponse resp;
  return client.Call(&cri::ImageService::Stub::PullImage, req, &resp, timeout);
}

int Count(const std::string& text, const std::string& words) {
  int n = 0;
  for (size_t pos = text.find(words); pos != std::string::npos; pos = text.find(words, pos + 1)) ++n;
  return n;
}

// Polls the daemon's log until `words` appear `times` times, for up to `seconds`.
bool LogShows(const TestDaemon& daemon, const std::string& words, int times, int seconds) {
  for (int i = 0; i < seconds * 10; ++i) {
    if (Count(daemon.Log(), words) >= times) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

TEST(PullCancelE2E, AbandonedPullsStopInTheDaemonAndDoNotBlockLaterOnes) {
  ASSERT_EQ(::geteuid(), 0u) << "e2e image tests run the daemon as root";
  CannedRegistry registry;
  registry.trickle_layer = true;
  TestDaemon daemon;
  auto st = daemon.Start("registry:\n  timeout_seconds: 10\n  retries: 0\n");
  ASSERT_TRUE(st.ok()) << st << "\n" << daemon.Log();
  CriClient client(daemon.socket());

  auto first = PullWithin(client, registry.ref(), std::chrono::milliseconds(2000));
  EXPECT_EQ(first.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << first.error_message();
  EXPECT_TRUE(LogShows(daemon, "pull cancelled by the client", 1, 5))
      << "the daemon kept pulling after its client went away:\n" << daemon.Log();

  auto start = std::chrono::steady_clock::now();
  auto second = PullWithin(client, registry.ref(), std::chrono::milliseconds(3000));
  EXPECT_EQ(second.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << second.error_message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(LogShows(daemon, "pull cancelled by the client", 2, 5)) << daemon.Log();
  EXPECT_EQ(registry.Requests("/blobs/" + registry.layer_digest()), 2)
      << "the second pull did not fetch the layer itself";
}

}  // namespace
}  // namespace podagent
