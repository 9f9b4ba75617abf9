#pragma once
// ScopeGuard: runs an undo action when the scope ends, unless Cancel() was called. Register the
// undo right after the acquisition it undoes has succeeded.

#include <functional>
#include <utility>

namespace podagent {

class ScopeGuard {
 public:
  explicit ScopeGuard(std::function<void()> undo) : undo_(std::move(undo)) {}
  ~ScopeGuard() {
    if (undo_) undo_();
  }
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;
  void Cancel() { undo_ = nullptr; }

 private:
  std::function<void()> undo_;
};

}  // namespace podagent
