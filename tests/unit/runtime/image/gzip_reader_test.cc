// GzipReader (ISA-L) against gzip streams that zlib writes: the bytes zlib put in come out at any
// read size, members in a row are read in turn, and truncated, corrupted or foreign input is an
// error instead of data.
#include "runtime/image/gzip_reader.h"

#include <zlib.h>

#include <random>
#include <string>

#include <gtest/gtest.h>

namespace podagent {
namespace {

// `data` as one gzip member, written by zlib.
std::string Gzip(const std::string& data, int level = 6) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// Text, runs and random bytes: every kind of deflate block zlib writes.
std::string Mixed(size_t n) {
  std::mt19937 rng(42);
  std::string s;
  while (s.size() < n) {
    switch (rng() % 3) {
      case 0: s += "the quick brown fox jumps over the lazy dog " + std::to_string(s.size()); break;
      case 1: s.append(rng() % 5000, static_cast<char>('a' + rng() % 26)); break;
      default: for (int i = 0; i < 3000; ++i) s += static_cast<char>(rng()); break;
    }
  }
  s.resize(n);
  return s;
}

// All of it, reading `chunk` bytes at a time.
absl::StatusOr<std::string> ReadAllOf(const std::string& gz, size_t chunk) {
  GzipReader r(MemorySource(gz));
  std::string out, buf(chunk, '\0');
  for (;;) {
    absl::StatusOr<size_t> n = r.Read(buf.data(), buf.size());
    if (!n.ok()) return n.status();
    if (*n == 0) return out;
    out.append(buf.data(), *n);
  }
}

TEST(GzipReaderTest, ReturnsWhatZlibCompressedAtAnyReadSize) {
  std::string data = Mixed(3 << 20);
  for (int level : {1, 6, 9}) {
    std::string gz = Gzip(data, level);
    for (size_t chunk : {size_t{1} << 16, size_t{4096}, size_t{7}}) {
      if (chunk == 7 && level != 6) continue;  // one slow pass is enough
      auto out = ReadAllOf(gz, chunk);
      ASSERT_TRUE(out.ok()) << "level " << level << " chunk " << chunk << ": " << out.status();
      EXPECT_TRUE(*out == data) << "level " << level << " chunk " << chunk << ": " << out->size() << " bytes out";
    }
  }
}

TEST(GzipReaderTest, ReadsMembersInARow) {
  std::string a = Mixed(200000), b = "second member\n", c = Mixed(70000);
  auto out = ReadAllOf(Gzip(a) + Gzip(b) + Gzip(c), 1 << 16);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_TRUE(*out == a + b + c) << out->size();
}

TEST(GzipReaderTest, EmptyInputIsAnErrorAnEmptyMemberIsEmpty) {
  auto none = ReadAllOf("", 4096);
  EXPECT_FALSE(none.ok()) << "no input read as a gzip stream";
  auto empty = ReadAllOf(Gzip(""), 4096);
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(*empty, "");
}

TEST(GzipReaderTest, BytesAfterTheLastMemberThatStartNoMemberEndTheStream) {
  auto out = ReadAllOf(Gzip("layer") + std::string(1024, '\0'), 4096);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "layer");
}

TEST(GzipReaderTest, TruncatedStreamsAreErrors) {
  std::string gz = Gzip(Mixed(500000));
  for (size_t keep : {gz.size() - 1, gz.size() - 8, gz.size() / 2, size_t{5}}) {
    auto out = ReadAllOf(gz.substr(0, keep), 1 << 16);
    EXPECT_FALSE(out.ok()) << keep << " of " << gz.size() << " bytes read as a whole stream";
    if (!out.ok()) {
      EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument) << out.status();
    }
  }
}

TEST(GzipReaderTest, AWrongChecksumOrLengthIsAnError) {
  std::string gz = Gzip(Mixed(100000));
  for (size_t from_end : {size_t{8}, size_t{1}}) {  // the CRC-32's first byte, the length's last
    std::string bad = gz;
    bad[bad.size() - from_end] ^= 0x01;
    auto out = ReadAllOf(bad, 1 << 16);
    ASSERT_FALSE(out.ok()) << "a corrupt trailer passed (" << from_end << " from the end)";
    EXPECT_NE(out.status().message().find("CRC-32 or length"), std::string::npos) << out.status();
  }
}

TEST(GzipReaderTest, CorruptDataAndForeignFormatsAreErrors) {
  std::string gz = Gzip(Mixed(100000));
  std::string bad = gz;
  for (size_t i = 20; i < 60; ++i) bad[i] = static_cast<char>(0xff);
  EXPECT_FALSE(ReadAllOf(bad, 1 << 16).ok()) << "corrupt deflate data read as a stream";
  auto plain = ReadAllOf(std::string("\x1f") + "this is not gzip at all, only its first byte", 4096);
  EXPECT_FALSE(plain.ok()) << "text read as gzip";
  auto zstd = ReadAllOf(std::string("\x28\xb5\x2f\xfd") + Mixed(100), 4096);
  EXPECT_FALSE(zstd.ok()) << "a zstd frame read as gzip";
}

}  // namespace
}  // namespace podagent
