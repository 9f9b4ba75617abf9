// SPDY/3 header blocks: the dictionary is the draft's (its adler32, the DICTID every SPDY/3 zlib
// header carries, is 0xe3c6a7c2), blocks round-trip through one zlib stream per direction, and
// hostile blocks (garbage, bombs, lying counts) are errors, never crashes or unbounded memory.
#include "agent/streaming/spdy_headers.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

namespace podagent::spdy {
namespace {

TEST(SpdyHeaders, DictionaryIsTheDraftOne) {
  const std::string& d = HeaderDictionary();
  EXPECT_EQ(d.size(), 1423u);
  uLong a = adler32(1L, reinterpret_cast<const Bytef*>(d.data()), static_cast<uInt>(d.size()));
  EXPECT_EQ(a, 0xe3c6a7c2u);
}

TEST(SpdyHeaders, CompressedBlockNamesTheDictionary) {
  HeaderCompressor c;
  auto block = c.Compress({{"streamtype", "error"}});
  ASSERT_TRUE(block.ok()) << block.status();
  ASSERT_GE(block->size(), 6u);
  // RFC 1950: FDICT bit in FLG, then DICTID (big-endian adler32 of the dictionary).
  EXPECT_TRUE(static_cast<uint8_t>((*block)[1]) & 0x20);
  EXPECT_EQ(block->substr(2, 4), std::string("\xe3\xc6\xa7\xc2", 4));
}

TEST(SpdyHeaders, BlocksRoundTripOnOneStream) {
  HeaderCompressor c;
  HeaderDecompressor d;
  std::vector<HeaderList> lists = {
      {{"streamtype", "error"}},
      {{"streamtype", "stdin"}, {"port", "8080"}},
      {},
      {{"requestid", "0"}, {"multi", std::string("a\0b", 3)}},
  };
  for (const HeaderList& l : lists) {
    auto block = c.Compress(l);
    ASSERT_TRUE(block.ok());
    auto back = d.Decompress(*block);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, l);
  }
  EXPECT_EQ(HeaderValue(lists[3], "MULTI"), "a");
  EXPECT_EQ(HeaderValue(lists[1], "StreamType"), "stdin");
  EXPECT_EQ(HeaderValue(lists[1], "absent"), "");
}

TEST(SpdyHeaders, GarbageIsAnError) {
  HeaderDecompressor d;
  EXPECT_FALSE(d.Decompress("this is not zlib").ok());
}

TEST(SpdyHeaders, DecompressionBombIsBounded) {
  // 1 MiB of one header value compresses to about 1 KiB; the decompressor stops at 64 KiB.
  HeaderCompressor c;
  HeaderDecompressor d;
  auto block = c.Compress({{"x", std::string(1 << 20, 'a')}});
  ASSERT_TRUE(block.ok());
  ASSERT_LT(block->size(), 16u * 1024);
  auto r = d.Decompress(*block);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("64 KiB"), std::string::npos) << r.status();
}

TEST(SpdyHeaders, LyingBlocksAreErrors) {
  // Count of 1 pair with no bytes for it.
  EXPECT_FALSE(DecodeHeaderBlock(std::string("\0\0\0\1", 4)).ok());
  // A name length pointing past the end.
  EXPECT_FALSE(DecodeHeaderBlock(std::string("\0\0\0\1\xff\xff\xff\xff", 8)).ok());
  // 2^32-1 pairs.
  EXPECT_FALSE(DecodeHeaderBlock(std::string("\xff\xff\xff\xff", 4)).ok());
  // Trailing bytes.
  EXPECT_FALSE(DecodeHeaderBlock(std::string("\0\0\0\0x", 5)).ok());
  auto empty = DecodeHeaderBlock(std::string("\0\0\0\0", 4));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace podagent::spdy
