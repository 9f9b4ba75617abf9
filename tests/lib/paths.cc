#include "tests/lib/paths.h"

#include <cstdlib>

namespace podagent::testing {

namespace {

std::string EnvOr(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

}  // namespace

std::string BinDir() { return EnvOr("PODAGENT_BIN_DIR", PODAGENT_TEST_BIN_DIR); }
std::string ShimBinary() { return BinDir() + "/podagent-shim"; }
std::string SourceDir() { return EnvOr("PODAGENT_SOURCE_DIR", PODAGENT_TEST_SOURCE_DIR); }

}  // namespace podagent::testing
