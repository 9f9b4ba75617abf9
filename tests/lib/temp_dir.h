#pragma once
// TempDir: a fresh directory under $TMPDIR (or /tmp), removed with everything in it on
// destruction (never crossing mount points: a test that leaves a mount behind fails loudly).
// The one mkdtemp of the test suite: a failure throws, so the test fails where it happened.

#include <string>

namespace podagent::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "podagent-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }
  std::string operator/(const std::string& name) const { return Sub(name); }

 private:
  std::string path_;
};

}  // namespace podagent::testing
