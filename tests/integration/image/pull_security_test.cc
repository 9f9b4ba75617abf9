// ROOT: a hostile or slow registry (CannedRegistry on 127.0.0.1) against the real puller and
// store: a tag manifest that does not match the registry's own Docker-Content-Digest is refused;
// a registry that trickles bytes is cut off at the pull's deadline and by cancellation, and a
// pull waiting on another pull's fetch of the same blob neither hangs nor inherits its cancel.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "runtime/image/image_store.h"
#include "runtime/image/puller.h"
#include "tests/fixtures/image/temp_dir.h"
#include "tests/integration/image/canned_registry.h"

namespace podagent {
namespace {

using imagetest::CannedRegistry;
using imagetest::TempDir;
using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

class PullSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "ROOT_ tests need root";
    store_ = std::make_unique<ImageStore>(tmp_ / "root");
    ASSERT_TRUE(store_->Init().ok());
  }
  absl::StatusOr<ImageRecord> Pull(const std::string& ref, PullOptions options = {}) {
    auto parsed = ParseImageReference(ref);
    if (!parsed.ok()) return parsed.status();
    options.registry.retry_backoff_ms = 10;
    return PullImage(*store_, *parsed, options);
  }
  TempDir tmp_{"podagent-pullsec"};
  std::unique_ptr<ImageStore> store_;
  CannedRegistry registry_;
};

TEST_F(PullSecurityTest, ROOT_TagManifestMustMatchDockerContentDigest) {
  registry_.wrong_content_digest = "sha256:" + std::string(64, 'e');
  auto r = Pull(registry_.ref());
  ASSERT_FALSE(r.ok()) << "a manifest that is not what the registry says it is was accepted";
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDataLoss) << r.status();
  EXPECT_NE(r.status().message().find("Docker-Content-Digest"), std::string::npos) << r.status();
  EXPECT_TRUE(store_->List().empty());
  registry_.wrong_content_digest.clear();
  auto ok = Pull(registry_.ref());
  ASSERT_TRUE(ok.ok()) << ok.status();
}

TEST_F(PullSecurityTest, ROOT_TricklingRegistryIsCutOffAtThePullDeadline) {
  registry_.trickle_layer = true;
  PullOptions options;
  options.deadline = absl::Seconds(2);
  auto start = Clock::now();
  auto r = Pull(registry_.ref(), options);
  double took = SecondsSince(start);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded) << r.status();
  EXPECT_LT(took, 5.0) << "the pull outlived its deadline by far";
  std::cerr << "trickling pull stopped after " << took << " s (deadline 2 s)\n";
}

TEST_F(PullSecurityTest, ROOT_CancelStopsATricklingPull) {
  registry_.trickle_layer = true;
  std::atomic<bool> cancelled{false};
  PullOptions options;
  options.cancelled = [&] { return cancelled.load(); };
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    cancelled = true;
  });
  auto start = Clock::now();
  auto r = Pull(registry_.ref(), options);
  double took = SecondsSince(start);
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kCancelled) << r.status();
  EXPECT_LT(took, 4.0) << "cancellation was not honoured during the transfer";
}

// Pull A leads the layer fetch and is cancelled; pull B, waiting on A's fetch, must not inherit
// A's cancellation (it fetches itself) and must stop at its own deadline; pull C, waiting on B,
// gives up as soon as its own client cancels.
TEST_F(PullSecurityTest, ROOT_WaitersOnAnotherPullsFetchAreNotPinned) {
  registry_.trickle_layer = true;
  std::atomic<bool> cancel_a{false}, cancel_c{false};
  absl::StatusOr<ImageRecord> a, b, c;
  double b_took = 0, c_took = 0;
  std::thread ta([&] {
    PullOptions o;
    o.cancelled = [&] { return cancel_a.load(); };
    a = Pull(registry_.ref(), o);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::thread tb([&] {
    PullOptions o;
    o.deadline = absl::Seconds(4);
    auto start = Clock::now();
    b = Pull(registry_.ref(), o);
    b_took = SecondsSince(start);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  cancel_a = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  std::thread tc([&] {
    PullOptions o;
    o.cancelled = [&] { return cancel_c.load(); };
    auto start = Clock::now();
    c = Pull(registry_.ref(), o);
    c_took = SecondsSince(start);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  cancel_c = true;
  ta.join();
  tb.join();
  tc.join();
  EXPECT_EQ(a.status().code(), absl::StatusCode::kCancelled) << a.status();
  EXPECT_EQ(b.status().code(), absl::StatusCode::kDeadlineExceeded)
      << "B should have fetched on its own after A was cancelled, until its own deadline: " << b.status();
  EXPECT_LT(b_took, 6.0);
  EXPECT_EQ(c.status().code(), absl::StatusCode::kCancelled) << c.status();
  EXPECT_LT(c_took, 2.0) << "a waiting pull did not give up when its client cancelled";
  EXPECT_EQ(registry_.Requests("/blobs/" + registry_.layer_digest()), 2) << "A's fetch, then B's own";
}

}  // namespace
}  // namespace podagent
