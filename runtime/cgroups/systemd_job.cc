#include "runtime/cgroups/systemd_job.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace podagent::systemd {

absl::StatusOr<std::unique_ptr<JobWatch>> JobWatch::Watch(sd_bus* bus) {
  std::unique_ptr<JobWatch> watch(new JobWatch(bus));
  sd_bus_slot* slot = nullptr;
  // No sender in the match: on the private socket (no bus daemon) messages carry none.
  int r = sd_bus_match_signal(bus, &slot, nullptr, kManagerPath, kManagerInterface, "JobRemoved", &OnJobRemoved,
                              watch.get());
  if (r < 0) return BusStatus("watch JobRemoved", r, kNoBusError);
  watch->slot_.reset(slot);
  return watch;
}

int JobWatch::OnJobRemoved(sd_bus_message* m, void* userdata, sd_bus_error*) {
  uint32_t id = 0;
  const char *job = nullptr, *unit = nullptr, *result = nullptr;
  if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) < 0) return 0;  // not ours to judge
  static_cast<JobWatch*>(userdata)->results_[job] = result;
  return 0;
}

absl::Status JobWatch::Wait(const std::string& job, const std::string& what, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (!results_.count(job)) {
    int r = sd_bus_process(bus_, nullptr);
    if (r < 0) return BusStatus(absl::StrCat(what, ": wait for job ", job), r, kNoBusError);
    if (r > 0) continue;  // more may be queued
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(
          absl::StrCat("systemd: ", what, ": job ", job, " did not finish within ", absl::FormatDuration(timeout)));
    }
    r = sd_bus_wait(bus_, static_cast<uint64_t>(absl::ToInt64Microseconds(left)) + 1);
    if (r < 0) return BusStatus(absl::StrCat(what, ": wait for job ", job), r, kNoBusError);
  }
  const std::string& result = results_[job];
  if (result != "done") return absl::InternalError(absl::StrCat("systemd: ", what, ": job ended \"", result, "\""));
  return absl::OkStatus();
}

}  // namespace podagent::systemd
