#pragma once
// Temp-dir fixture trees that look like cgroup mounts, for driver tests without root.

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "runtime/common/files.h"
#include "tests/lib/sleeper.h"
#include "tests/lib/temp_dir.h"

namespace podagent::testing {

inline void Put(const std::string& path, const std::string& content) {
  ASSERT_TRUE(MakeDirs(path.substr(0, path.rfind('/'))).ok());
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr) << path;
  std::fputs(content.c_str(), f);
  std::fclose(f);
}

inline std::string Get(const std::string& path) {
  auto s = ReadFile(path);
  return s.ok() ? *s : "<absent: " + std::string(s.status().message()) + ">";
}

}  // namespace podagent::testing
