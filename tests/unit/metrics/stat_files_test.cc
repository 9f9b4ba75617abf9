#include "metrics/stat_files.h"

#include <gtest/gtest.h>

namespace podagent {
namespace {

TEST(ParseUint, NumbersMaxAndGarbage) {
  EXPECT_EQ(ParseUint("42\n"), 42u);
  EXPECT_EQ(ParseUint("max\n"), kUnlimited);
  EXPECT_FALSE(ParseUint(""));
  EXPECT_FALSE(ParseUint("-1"));
  EXPECT_FALSE(ParseUint("12abc"));
  EXPECT_EQ(ParseInt("-1\n"), -1);
}

TEST(ParseKeyValues, SkipsMalformedLines) {
  auto kv = ParseKeyValues("user 10\nsystem 20\nbroken\nneg -3\n\nspaced  7\n");
  EXPECT_EQ(Lookup(kv, "user"), 10u);
  EXPECT_EQ(Lookup(kv, "system"), 20u);
  EXPECT_FALSE(Lookup(kv, "broken"));
  EXPECT_FALSE(Lookup(kv, "neg"));
  EXPECT_EQ(Lookup(kv, "spaced"), 7u);
}

TEST(ParsePsi, SomeAndFullTotals) {
  PsiStats psi = ParsePsi(
      "some avg10=0.12 avg60=0.00 avg300=0.00 total=123456\n"
      "full avg10=0.00 avg60=0.00 avg300=0.00 total=42\n");
  EXPECT_EQ(psi.some_us, 123456u);
  EXPECT_EQ(psi.full_us, 42u);
  PsiStats partial = ParsePsi("some avg10=0.00 total=x\n");
  EXPECT_FALSE(partial.some_us);
  EXPECT_FALSE(partial.full_us);
}

TEST(CountLines, IgnoresEmptyLines) {
  EXPECT_EQ(CountLines(""), 0u);
  EXPECT_EQ(CountLines("1\n2\n\n3"), 3u);
}

TEST(ReadFiles, MissingFilesGiveNoValue) {
  EXPECT_FALSE(ReadUintFile("/nonexistent/podagent/x"));
  EXPECT_FALSE(ReadUintFile(""));
  EXPECT_TRUE(ReadKeyValuesFile("/nonexistent/podagent/x").empty());
}

}  // namespace
}  // namespace podagent
