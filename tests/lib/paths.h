#pragma once
// Where a test finds the built programs and the source tree. Both are compiled into every test
// binary (tests/lib/test_env.cc) and may be overridden by PODAGENT_BIN_DIR / PODAGENT_SOURCE_DIR.

#include <string>

namespace podagent::testing {

// Directory of the built programs: podagent, podagent-pause, podagent-shim.
std::string BinDir();
// BinDir()/podagent-shim, as the daemon's launcher runs it.
std::string ShimBinary();
// The source tree (for deploy/, hack/, tests/fixtures/).
std::string SourceDir();

}  // namespace podagent::testing
