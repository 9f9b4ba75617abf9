#pragma once
// Wall-clock timing of one call, and a CRI step that is timed into Results only when it succeeds.

#include <chrono>
#include <string>

#include <grpcpp/grpcpp.h>

#include "tests/bench/cri/bench_target.h"
#include "tests/bench/cri/results.h"

namespace podagent::bench {

template <typename F>
double ElapsedMs(F&& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// Runs `call` (returning grpc::Status); on success adds its time in ms to `row`, else records
// the error. Returns whether it succeeded.
template <typename F>
bool TimedStep(Target& t, Results& results, const std::string& row, F&& call) {
  grpc::Status st;
  double ms = ElapsedMs([&] { st = call(); });
  if (st.ok()) {
    results.Add(row, "ms", t.name(), ms);
    return true;
  }
  results.Error(t.name(), row + ": " + st.error_message());
  return false;
}

}  // namespace podagent::bench
