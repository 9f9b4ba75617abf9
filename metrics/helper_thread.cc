#include "metrics/helper_thread.h"

namespace podagent {

HelperThread::HelperThread() : thread_([this] { Loop(); }) {}

HelperThread::~HelperThread() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void HelperThread::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || job_ != nullptr; });
    if (stop_) return;
    const std::function<void()>* job = job_;
    lock.unlock();
    (*job)();
    lock.lock();
    job_ = nullptr;
    cv_.notify_all();
  }
}

void HelperThread::RunBeside(const std::function<void()>& job) {
  std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
  if (!busy.owns_lock()) {
    job();
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_ = &job;
  }
  cv_.notify_all();
  job();
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return job_ == nullptr; });
}

}  // namespace podagent
