#pragma once
// HelperThread: one long-lived thread that runs a job beside its caller, so a scrape's reads use
// both cores without starting a thread per scrape (and its CPU time stays on a live thread,
// where /proc/PID/task/*/schedstat counts it). One job at a time: a caller that finds the helper
// busy (two scrapes at once) runs its job alone.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace podagent {

class HelperThread {
 public:
  HelperThread();
  ~HelperThread();  // stops the thread and joins it
  HelperThread(const HelperThread&) = delete;
  HelperThread& operator=(const HelperThread&) = delete;

  // Runs `job` on this thread and, when free, on the helper at the same time; returns when both
  // runs have ended. `job` must share its work through its own state (an atomic index).
  void RunBeside(const std::function<void()>& job);

 private:
  void Loop();

  std::mutex busy_;  // held by the caller whose job the helper runs
  std::mutex mu_;
  std::condition_variable cv_;
  const std::function<void()>* job_ = nullptr;  // set while the helper has a job to run or runs it
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace podagent
