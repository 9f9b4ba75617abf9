#include "tests/bench/cri/stop_signal.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

namespace podagent::bench {
namespace {

std::atomic<bool> stop_requested{false};

}  // namespace

void WatchStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) return;
    stop_requested = true;
    std::fprintf(stderr,
                 "podagent-cri-bench: %s: stopping after the current step and removing the pods; "
                 "send it again to exit at once\n",
                 strsignal(sig));
    // A Ctrl-C reaches the whole process group, so hack/bench.sh's forwarded copy can follow
    // the terminal's within moments: only a signal sent later counts as the second one.
    auto first = std::chrono::steady_clock::now();
    while (sigwait(&set, &sig) == 0) {
      if (std::chrono::steady_clock::now() - first > std::chrono::seconds(2)) _exit(128 + sig);
    }
  }).detach();
}

bool StopRequested() { return stop_requested.load(); }

}  // namespace podagent::bench
