// Replays the seed corpus (and generated tar seeds) through the fuzz entry as an ordinary test,
// so CI runs every seed on each build. A seed that crashes or breaks an invariant aborts here.
#include <gtest/gtest.h>

#include <string>

#include "runtime/common/files.h"
#include "tests/fixtures/image/layer_builder.h"
#include "tests/fuzz/image/image_parsers_fuzz.h"

namespace podagent {
namespace {

std::string CorpusDir() {
  const char* s = std::getenv("PODAGENT_SOURCE_DIR");
  return std::string(s ? s : PODAGENT_TEST_SOURCE_DIR) + "/tests/fuzz/image/corpus";
}

void Feed(const std::string& input) {
  FuzzImageParsers(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

TEST(ImageParsersCorpus, EverySeedRuns) {
  auto names = ListDir(CorpusDir());
  ASSERT_TRUE(names.ok()) << names.status();
  ASSERT_GE(names->size(), 10u) << "seed corpus missing";
  for (const auto& n : *names) {
    auto data = ReadFile(CorpusDir() + "/" + n);
    ASSERT_TRUE(data.ok()) << n;
    SCOPED_TRACE(n);
    Feed(*data);
  }
}

TEST(ImageParsersCorpus, HostileTarSeedsRun) {
  using imagetest::LayerBuilder;
  std::vector<std::string> tars = {
      LayerBuilder().Dir("a").File("a/b", "x").Symlink("s", "/etc").Finish(),
      LayerBuilder().File("../outside/x", "x").Finish(),
      LayerBuilder().Symlink("l", "../outside").File("l/x", "x").Finish(),
      LayerBuilder().Hardlink("h", "../outside").Finish(),
      LayerBuilder().File(".wh..wh..opq", "").File(".wh.x", "").Finish(),
  };
  for (const auto& t : tars) {
    Feed("t" + t);
    Feed("t" + t.substr(0, t.size() / 2));  // truncated
  }
  Feed("g" + LayerBuilder(Compression::kGzip).File("f", "data").Finish());
  Feed("z" + LayerBuilder(Compression::kZstd).File("f", "data").Finish());
}

}  // namespace
}  // namespace podagent
