// SPDY/3.1 frames against the layout of the SPDY/3 draft (section 2.2): hand-built bytes in,
// fields out, and our serialisation checked byte for byte.
#include "agent/streaming/spdy_frame.h"

#include <gtest/gtest.h>

#include <string>

namespace podagent::spdy {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int v : b) s.push_back(static_cast<char>(v));
  return s;
}

TEST(SpdyFrame, DataFrameLayout) {
  std::string f = DataFrame(5, "hi", true);
  EXPECT_EQ(f, Bytes({0, 0, 0, 5, 0x01, 0, 0, 2, 'h', 'i'}));
  Frame out;
  auto n = ParseFrame(f, out);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, f.size());
  EXPECT_EQ(out.type, kData);
  EXPECT_EQ(out.stream_id, 5u);
  EXPECT_TRUE(out.fin());
  EXPECT_EQ(out.payload, "hi");
}

TEST(SpdyFrame, SynStreamFromTheWire) {
  // SYN_STREAM v3, flags 0, length 10 + 3: stream 1, associated 0, priority/slot, block "abc".
  std::string f = Bytes({0x80, 0x03, 0x00, 0x01, 0x00, 0, 0, 13, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 'a', 'b', 'c'});
  Frame out;
  auto n = ParseFrame(f, out);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, f.size());
  EXPECT_EQ(out.type, kSynStream);
  EXPECT_EQ(out.stream_id, 1u);
  EXPECT_EQ(out.payload, "abc");
}

TEST(SpdyFrame, ControlFramesWeWrite) {
  EXPECT_EQ(SynReplyFrame(3, "xy", false), Bytes({0x80, 3, 0, 2, 0, 0, 0, 6, 0, 0, 0, 3, 'x', 'y'}));
  EXPECT_EQ(RstStreamFrame(7, kCancel), Bytes({0x80, 3, 0, 3, 0, 0, 0, 8, 0, 0, 0, 7, 0, 0, 0, 5}));
  EXPECT_EQ(PingFrame(0x01020304), Bytes({0x80, 3, 0, 6, 0, 0, 0, 4, 1, 2, 3, 4}));
  EXPECT_EQ(GoAwayFrame(9, 0), Bytes({0x80, 3, 0, 7, 0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0, 0}));
  Frame out;
  ASSERT_TRUE(ParseFrame(RstStreamFrame(7, kCancel), out).ok());
  EXPECT_EQ(out.type, kRstStream);
  EXPECT_EQ(out.stream_id, 7u);
  EXPECT_EQ(out.value, kCancel);
  ASSERT_TRUE(ParseFrame(PingFrame(42), out).ok());
  EXPECT_EQ(out.value, 42u);
}

TEST(SpdyFrame, EveryPrefixIsIncomplete) {
  std::string f = SynStreamFrame(1, "headers", false) + DataFrame(1, "payload", false);
  size_t first = SynStreamFrame(1, "headers", false).size();
  for (size_t i = 0; i < first; ++i) {
    Frame out;
    auto n = ParseFrame(std::string_view(f).substr(0, i), out);
    ASSERT_TRUE(n.ok()) << i;
    EXPECT_EQ(*n, 0u) << i;
  }
  Frame out;
  auto n = ParseFrame(f, out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, first);
}

TEST(SpdyFrame, MalformedFramesAreErrors) {
  Frame out;
  // Version 2.
  EXPECT_FALSE(ParseFrame(Bytes({0x80, 0x02, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1}), out).ok());
  // RST_STREAM with a 4-byte payload.
  EXPECT_FALSE(ParseFrame(Bytes({0x80, 0x03, 0, 3, 0, 0, 0, 4, 0, 0, 0, 1}), out).ok());
  // SETTINGS claiming 2 entries in 12 bytes.
  EXPECT_FALSE(ParseFrame(Bytes({0x80, 0x03, 0, 4, 0, 0, 0, 12, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0}), out).ok());
  // A data frame of 16 MiB - 1 with a 1 MiB limit: refused before the payload arrives.
  auto big = ParseFrame(Bytes({0, 0, 0, 1, 0, 0xff, 0xff, 0xff}), out);
  EXPECT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SpdyFrame, UnknownControlTypesParseToBeIgnored) {
  Frame out;
  auto n = ParseFrame(Bytes({0x80, 0x03, 0, 0x42, 0, 0, 0, 2, 'z', 'z'}), out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 10u);
  EXPECT_EQ(out.type, 0x42);
}

}  // namespace
}  // namespace podagent::spdy
