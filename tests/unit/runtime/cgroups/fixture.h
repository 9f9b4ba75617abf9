#pragma once
// Temp-dir fixture trees that look like cgroup mounts, for driver tests without root.

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>

#include "gtest/gtest.h"
#include "runtime/common/files.h"

namespace podagent::testing {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/podagent-cgtest-XXXXXX";
    char* d = ::mkdtemp(tmpl);
    if (d == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = d ? d : "";
  }
  ~TempDir() { (void)RemoveTree(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

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

// A child that sleeps until killed; the test owns its pid.
inline pid_t SpawnSleeper() {
  pid_t pid = ::fork();
  if (pid == 0) {
    for (;;) ::pause();
  }
  return pid;
}

// Waits for `pid` and returns the signal that ended it (0 if it exited).
inline int ReapSignal(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

}  // namespace podagent::testing
