#pragma once
// FuzzCheck: the fuzz targets' assertion. A violated invariant prints what and aborts, which
// libFuzzer reports as a crash (keeping the input) and the corpus tests as a failed test.

#include <cstdio>
#include <cstdlib>

namespace podagent {

inline void FuzzCheck(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
    std::abort();
  }
}

}  // namespace podagent
