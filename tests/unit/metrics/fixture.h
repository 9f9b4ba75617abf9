#pragma once
// Where the fixture cgroup trees live (tests/fixtures/cgroup), from PODAGENT_SOURCE_DIR.

#include <cstdlib>
#include <string>

namespace podagent::testing {

inline std::string CgroupFixture(const std::string& tree) {
  const char* src = std::getenv("PODAGENT_SOURCE_DIR");
  return std::string(src != nullptr ? src : PODAGENT_SOURCE_DIR_DEFAULT) + "/tests/fixtures/cgroup/" + tree;
}

}  // namespace podagent::testing
