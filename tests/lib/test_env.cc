// Compiled into every test executable (see podagent_test in tests/CMakeLists.txt): gives
// PODAGENT_BIN_DIR and PODAGENT_SOURCE_DIR their build-time values unless the environment
// already sets them, so a test binary finds the programs and the source tree whether ctest runs
// it or a developer does.
#include <cstdlib>

namespace {

struct DefaultTestEnvironment {
  DefaultTestEnvironment() {
    ::setenv("PODAGENT_BIN_DIR", PODAGENT_TEST_BIN_DIR, /*overwrite=*/0);
    ::setenv("PODAGENT_SOURCE_DIR", PODAGENT_TEST_SOURCE_DIR, /*overwrite=*/0);
  }
} default_test_environment;

}  // namespace
