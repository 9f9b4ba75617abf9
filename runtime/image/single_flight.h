#pragma once
// SingleFlight: concurrent calls with the same key run `fn` once; the others wait and get the
// same status. Used so each blob is fetched and each layer unpacked once however many pulls
// want it at the same time.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace podagent {

class SingleFlight {
 public:
  // `ran` (optional) tells whether this caller ran fn itself.
  absl::Status Do(const std::string& key, const std::function<absl::Status()>& fn, bool* ran = nullptr) {
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
    if (!leader) {
      flight->done.WaitForNotification();
      return flight->status;
    }
    flight->status = fn();
    {
      absl::MutexLock lock(&mu_);
      flights_.erase(key);
    }
    flight->done.Notify();
    return flight->status;
  }

 private:
  struct Flight {
    absl::Notification done;
    absl::Status status;
  };
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<Flight>> flights_ ABSL_GUARDED_BY(mu_);
};

}  // namespace podagent
