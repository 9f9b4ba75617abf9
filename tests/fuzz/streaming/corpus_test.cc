// Replays the SPDY seed corpus (and every prefix of each seed, the way a slow client delivers it)
// through the fuzz entry as an ordinary test, so CI runs every seed on each build.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/fuzz/streaming/spdy_fuzz.h"
#include "tests/lib/paths.h"

namespace podagent {
namespace {

std::string CorpusDir() { return testing::SourceDir() + "/tests/fuzz/streaming/corpus"; }

TEST(SpdyCorpus, EverySeedAndPrefixRuns) {
  size_t seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(CorpusDir())) {
    std::ifstream in(entry.path(), std::ios::binary);
    ASSERT_TRUE(in) << entry.path();
    std::stringstream buf;
    buf << in.rdbuf();
    std::string data = buf.str();
    ASSERT_FALSE(data.empty()) << entry.path();
    SCOPED_TRACE(entry.path().string());
    for (size_t len = 0; len <= data.size(); ++len) {
      FuzzSpdy(reinterpret_cast<const uint8_t*>(data.data()), len);
    }
    ++seeds;
  }
  ASSERT_GE(seeds, 5u) << "seed corpus missing";
}

}  // namespace
}  // namespace podagent
