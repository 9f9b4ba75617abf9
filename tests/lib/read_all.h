#pragma once
// ReadAll: a whole file as text for checks on logs and /proc files; "" when it cannot be read,
// so the caller's check on the text (HasSubstr, EXPECT_EQ) shows the missing file.

#include <fstream>
#include <sstream>
#include <string>

namespace podagent::testing {

inline std::string ReadAll(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace podagent::testing
