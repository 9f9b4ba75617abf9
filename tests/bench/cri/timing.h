#pragma once
// Wall-clock timing of one call, a CRI step that is timed into Results only when it succeeds, and
// work spread over client threads.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

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

// Runs `work(i)` for i in [0, n) on min(n, clients) threads, each taking the next i.
template <typename F>
void Parallel(int n, int clients, F&& work) {
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < std::min(n, clients); ++c) {
    threads.emplace_back([&] {
      for (int i = next++; i < n; i = next++) work(i);
    });
  }
  for (auto& th : threads) th.join();
}

}  // namespace podagent::bench
