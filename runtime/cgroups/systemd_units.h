#pragma once
// systemd units over D-Bus, for the systemd cgroup driver: transient slices (a pod) and scopes
// (a container's processes), their resource properties, live updates, stop and removal, and the
// cgroup systemd gave them. Every call waits for systemd's job to finish (the manager's
// JobRemoved signal) within a bounded time: DeadlineExceeded past it. Errors carry systemd's
// D-Bus error name and message. Thread-safe (one lock around the bus).
//
//   auto units = SystemdUnits::Connect();
//   units->Start("kubepods-pod1.slice", SliceProperties("pod 1", *ResourceProperties(r)));
//   units->Start("podagent-<id>.scope", ScopeProperties("container <id>", "kubepods-pod1.slice", {pid}, {}));
//   units->ControlGroup("podagent-<id>.scope");  // "/kubepods.slice/kubepods-pod1.slice/podagent-<id>.scope"
//   units->Stop("podagent-<id>.scope");

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "runtime/cgroups/systemd_bus.h"
#include "runtime/cgroups/systemd_properties.h"

namespace podagent::systemd {

struct UnitsOptions {
  absl::Duration call_timeout = absl::Seconds(10);  // one D-Bus method call
  absl::Duration job_timeout = absl::Seconds(30);   // a start or stop job, until JobRemoved
};

class SystemdUnits {
 public:
  // Connects (see ConnectToSystemd) and subscribes to the manager's signals.
  static absl::StatusOr<std::unique_ptr<SystemdUnits>> Connect(UnitsOptions options = {});

  // The manager's Version: a cheap proof that systemd answers.
  absl::StatusOr<std::string> Version();
  // StartTransientUnit(name, "fail", properties) and waits for the job: AlreadyExists when the
  // unit exists, an error naming the job's result when it is not "done".
  absl::Status Start(const std::string& name, const std::vector<UnitProperty>& properties);
  // SetUnitProperties(name, runtime=true, properties): a live update (the cgroup files change).
  absl::Status SetProperties(const std::string& name, const std::vector<UnitProperty>& properties);
  // StopUnit(name, "replace"), waits for the job, then ResetFailedUnit so nothing of the unit
  // stays loaded. A unit that is not loaded is fine.
  absl::Status Stop(const std::string& name);
  // The unit's ControlGroup property: its cgroup path relative to the hierarchy root.
  absl::StatusOr<std::string> ControlGroup(const std::string& name);
  // The unit's ActiveState ("active", "failed", ...); NotFound when the unit is not loaded.
  absl::StatusOr<std::string> ActiveState(const std::string& name);

 private:
  SystemdUnits(BusPtr bus, UnitsOptions options) : bus_(std::move(bus)), options_(options) {}
  absl::Status StartLocked(const std::string& name, const std::vector<UnitProperty>& properties)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status StopLocked(const std::string& name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::string> ReadUnitString(const std::string& name, const char* interface, const char* property)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  BusPtr bus_ ABSL_GUARDED_BY(mu_);
  UnitsOptions options_;
};

}  // namespace podagent::systemd
