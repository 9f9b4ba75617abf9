#pragma once
// SingleFlight: concurrent calls with the same key run `fn` once; the others wait and get the
// same status. Used so each blob is fetched and each layer unpacked once however many pulls
// want it at the same time.
//
// A waiter is never pinned by the leader: with an `interrupt` it looks at it while it waits
// (every 100 ms) and gives up with that status (its RPC was cancelled or its deadline passed).
// When the leader itself was interrupted (Cancelled or DeadlineExceeded from *its* interrupt),
// a waiter whose own interrupt is still fine does not inherit that failure: it runs `fn` anew.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "runtime/image/interrupt.h"

namespace podagent {

class SingleFlight {
 public:
  // `ran` (optional) tells whether this caller ran fn itself.
  absl::Status Do(const std::string& key, const std::function<absl::Status()>& fn, bool* ran = nullptr,
                  const InterruptFn& interrupt = nullptr) {
    for (;;) {
      std::shared_ptr<Flight> flight;
      bool leader = false;
      {
        absl::MutexLock lock(&mu_);
        auto it = flights_.find(key);
        if (it == flights_.end()) {
          flight = std::make_shared<Flight>();
          flights_.emplace(key, flight);
          leader = true;
        } else {
          flight = it->second;
        }
      }
      if (ran) *ran = leader;
      if (leader) return Lead(key, *flight, fn, interrupt);
      absl::Status waited = Wait(*flight, interrupt);
      if (!waited.ok()) return waited;
      if (!flight->leader_interrupted) return flight->status;
      // The leader gave up for its own reasons; this caller still wants the result.
    }
  }

 private:
  struct Flight {
    absl::Notification done;
    absl::Status status;
    bool leader_interrupted = false;
  };

  absl::Status Lead(const std::string& key, Flight& flight, const std::function<absl::Status()>& fn,
                    const InterruptFn& interrupt) {
    flight.status = fn();
    flight.leader_interrupted = !flight.status.ok() && interrupt && !interrupt().ok();
    {
      absl::MutexLock lock(&mu_);
      flights_.erase(key);
    }
    flight.done.Notify();
    return flight.status;
  }

  static absl::Status Wait(Flight& flight, const InterruptFn& interrupt) {
    if (!interrupt) {
      flight.done.WaitForNotification();
      return absl::OkStatus();
    }
    while (!flight.done.WaitForNotificationWithTimeout(absl::Milliseconds(100))) {
      absl::Status st = interrupt();
      if (!st.ok()) return st;
    }
    return absl::OkStatus();
  }

  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<Flight>> flights_ ABSL_GUARDED_BY(mu_);
};

}  // namespace podagent
