// Streaming URL tokens: random, single use, expiring on an injected clock, and bounded in number.
#include "agent/streaming/token_store.h"

#include <gtest/gtest.h>

#include <set>

namespace podagent::streaming {
namespace {

StreamRequest Exec(const std::string& id) {
  StreamRequest r;
  r.container_id = id;
  r.cmd = {"true"};
  return r;
}

TEST(TokenStore, TokensAreSingleUse) {
  TokenStore s(absl::Minutes(1), 10);
  auto t = s.Insert(Exec("c1"));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->size(), 32u);
  auto r = s.Take(*t);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->container_id, "c1");
  EXPECT_FALSE(s.Take(*t).has_value()) << "a token must not work twice";
  EXPECT_FALSE(s.Take("").has_value());
  EXPECT_FALSE(s.Take("0123456789abcdef0123456789abcdef").has_value());
}

TEST(TokenStore, TokensExpire) {
  absl::Time now = absl::FromUnixSeconds(1000);
  TokenStore s(absl::Seconds(30), 10, [&] { return now; });
  auto t = s.Insert(Exec("c1"));
  ASSERT_TRUE(t.ok());
  now += absl::Seconds(29);
  auto u = s.Insert(Exec("c2"));
  ASSERT_TRUE(u.ok());
  now += absl::Seconds(2);
  EXPECT_FALSE(s.Take(*t).has_value()) << "expired after 30 s";
  EXPECT_TRUE(s.Take(*u).has_value());
}

TEST(TokenStore, BoundedAndRandom) {
  absl::Time now = absl::FromUnixSeconds(1000);
  TokenStore s(absl::Seconds(30), 3, [&] { return now; });
  std::set<std::string> seen;
  for (int i = 0; i < 3; ++i) {
    auto t = s.Insert(Exec("c"));
    ASSERT_TRUE(t.ok());
    seen.insert(*t);
  }
  EXPECT_EQ(seen.size(), 3u);
  auto full = s.Insert(Exec("c"));
  ASSERT_FALSE(full.ok());
  EXPECT_EQ(full.status().code(), absl::StatusCode::kResourceExhausted);
  now += absl::Seconds(31);  // all expired: purged on the next insert
  EXPECT_TRUE(s.Insert(Exec("c")).ok());
  EXPECT_EQ(s.Size(), 1u);
}

}  // namespace
}  // namespace podagent::streaming
