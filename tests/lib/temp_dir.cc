#include "tests/lib/temp_dir.h"

#include <stdlib.h>

#include <cstdio>
#include <stdexcept>

#include "runtime/common/files.h"

namespace podagent::testing {

TempDir::TempDir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/" + prefix + "-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp " + templ);
  path_ = templ;
}

TempDir::~TempDir() {
  absl::Status st = RemoveTree(path_);
  if (!st.ok()) std::fprintf(stderr, "TempDir: %s\n", std::string(st.message()).c_str());
}

}  // namespace podagent::testing
