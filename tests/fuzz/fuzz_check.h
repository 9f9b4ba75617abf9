#pragma once
// FuzzCheck: the fuzz targets' assertion. A violated invariant prints what and aborts, which
// libFuzzer reports as a crash (keeping the input) and the corpus tests as a failed test.

#include <cstdio>
#include <cstdlib>
#include <string>

namespace podagent {

// What the calling thread is replaying (a corpus test's seed and cut), printed with a violation:
// an abort shows no gtest trace, and replays may run on several threads at once.
inline thread_local std::string fuzz_context;

inline void FuzzCheck(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz invariant violated: %s%s%s\n", what, fuzz_context.empty() ? "" : ", replaying ",
                 fuzz_context.c_str());
    std::abort();
  }
}

}  // namespace podagent
