#pragma once
// Waiting for a systemd job: the manager's JobRemoved(id, job, unit, result) signal for a job
// path. Watch before the call that makes the job (a fast job may end before the call returns),
// then Wait for the path the call returned.

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "runtime/cgroups/systemd_bus.h"

namespace podagent::systemd {

class JobWatch {
 public:
  // Adds the match for JobRemoved on `bus`; the match ends with the JobWatch.
  static absl::StatusOr<std::unique_ptr<JobWatch>> Watch(sd_bus* bus);

  // Processes the bus until `job` is removed or `timeout` passes (DeadlineExceeded). OK for the
  // result "done"; otherwise an error naming `what`, the unit and the result ("failed",
  // "timeout", "canceled", "dependency", ...).
  absl::Status Wait(const std::string& job, const std::string& what, absl::Duration timeout);

 private:
  explicit JobWatch(sd_bus* bus) : bus_(bus) {}
  static int OnJobRemoved(sd_bus_message* m, void* userdata, sd_bus_error* error);

  sd_bus* bus_;
  SlotPtr slot_;
  std::map<std::string, std::string> results_;  // job path -> result
};

}  // namespace podagent::systemd
