#pragma once
// InterruptFn: how long-running image work (a pull: registry requests, retries, waits on another
// pull's fetch) learns that it should stop. OK means go on; an error (Cancelled when the RPC was
// cancelled, DeadlineExceeded when the pull's deadline passed) is returned as the work's result.

#include <functional>

#include "absl/status/status.h"

namespace podagent {

using InterruptFn = std::function<absl::Status()>;

inline absl::Status CheckInterrupt(const InterruptFn& interrupt) {
  return interrupt ? interrupt() : absl::OkStatus();
}

}  // namespace podagent
