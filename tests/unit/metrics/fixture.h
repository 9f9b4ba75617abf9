#pragma once
// Where the fixture cgroup trees live (tests/fixtures/cgroup in the source tree).

#include <string>

#include "tests/lib/paths.h"

namespace podagent::testing {

inline std::string CgroupFixture(const std::string& tree) { return SourceDir() + "/tests/fixtures/cgroup/" + tree; }

}  // namespace podagent::testing
