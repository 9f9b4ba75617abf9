#include "runtime/cgroups/systemd_units.h"

#include <algorithm>
#include <cstdlib>
#include <type_traits>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runtime/cgroups/systemd_job.h"
#include "runtime/common/errors.h"

namespace podagent::systemd {
namespace {

uint64_t Usec(absl::Duration d) { return static_cast<uint64_t>(std::max<int64_t>(1, absl::ToInt64Microseconds(d))); }

absl::StatusOr<MessagePtr> NewManagerCall(sd_bus* bus, const char* method) {
  sd_bus_message* raw = nullptr;
  int r = sd_bus_message_new_method_call(bus, &raw, kDestination, kManagerPath, kManagerInterface, method);
  if (r < 0) return BusStatus(absl::StrCat("new ", method, " call"), r, kNoBusError);
  return MessagePtr(raw);
}

int AppendValue(sd_bus_message* m, const PropertyValue& value) {
  return std::visit(
      [m](const auto& v) -> int {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, uint64_t>) {
          return sd_bus_message_append_basic(m, 't', &v);
        } else if constexpr (std::is_same_v<T, bool>) {
          int b = v ? 1 : 0;
          return sd_bus_message_append_basic(m, 'b', &b);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return sd_bus_message_append_basic(m, 's', v.c_str());
        } else if constexpr (std::is_same_v<T, std::vector<uint8_t>>) {
          return sd_bus_message_append_array(m, 'y', v.data(), v.size());
        } else {
          return sd_bus_message_append_array(m, 'u', v.data(), v.size() * sizeof(uint32_t));
        }
      },
      value);
}

// Appends the "a(sv)" array of `properties`.
absl::Status AppendProperties(sd_bus_message* m, const std::vector<UnitProperty>& properties) {
  int r = sd_bus_message_open_container(m, 'a', "(sv)");
  for (const auto& p : properties) {
    if (r >= 0) r = sd_bus_message_open_container(m, 'r', "sv");
    if (r >= 0) r = sd_bus_message_append_basic(m, 's', p.name.c_str());
    if (r >= 0) r = sd_bus_message_open_container(m, 'v', Signature(p.value));
    if (r >= 0) r = AppendValue(m, p.value);
    if (r >= 0) r = sd_bus_message_close_container(m);
    if (r >= 0) r = sd_bus_message_close_container(m);
    if (r < 0) return BusStatus(absl::StrCat("encode property ", p.name), r, kNoBusError);
  }
  if (r >= 0) r = sd_bus_message_close_container(m);
  if (r < 0) return BusStatus("encode properties", r, kNoBusError);
  return absl::OkStatus();
}

// Sends `m`; returns the object path the reply carries (a job, a unit), "" for an empty reply.
absl::StatusOr<std::string> Call(sd_bus* bus, sd_bus_message* m, const std::string& what, absl::Duration timeout) {
  BusError error;
  sd_bus_message* raw = nullptr;
  int r = sd_bus_call(bus, m, Usec(timeout), error.get(), &raw);
  MessagePtr reply(raw);
  if (r < 0) return BusStatus(what, r, error.error());
  const char* signature = sd_bus_message_get_signature(reply.get(), 1);
  if (signature == nullptr || signature[0] != 'o') return std::string();
  const char* path = nullptr;
  r = sd_bus_message_read(reply.get(), "o", &path);
  if (r < 0) return BusStatus(absl::StrCat(what, ": read the reply"), r, kNoBusError);
  return std::string(path);
}

// The D-Bus interface of a unit's type, where ControlGroup lives.
const char* TypeInterface(const std::string& name) {
  if (absl::EndsWith(name, ".slice")) return "org.freedesktop.systemd1.Slice";
  if (absl::EndsWith(name, ".scope")) return "org.freedesktop.systemd1.Scope";
  return "org.freedesktop.systemd1.Service";
}

}  // namespace

absl::StatusOr<std::unique_ptr<SystemdUnits>> SystemdUnits::Connect(UnitsOptions options) {
  ASSIGN_OR_RETURN(BusPtr bus, ConnectToSystemd(options.call_timeout));
  // Without a subscriber the manager may keep its signals off the system bus.
  BusError error;
  int r = sd_bus_call_method(bus.get(), kDestination, kManagerPath, kManagerInterface, "Subscribe", error.get(),
                             nullptr, "");
  if (r < 0 && !(sd_bus_error_is_set(&error.error()) &&
                 std::string(error.error().name) == "org.freedesktop.systemd1.AlreadySubscribed")) {
    return BusStatus("Subscribe", r, error.error());
  }
  return std::unique_ptr<SystemdUnits>(new SystemdUnits(std::move(bus), options));
}

absl::StatusOr<std::string> SystemdUnits::Version() {
  absl::MutexLock lock(&mu_);
  return ManagerVersion(bus_.get());
}

absl::Status SystemdUnits::Start(const std::string& name, const std::vector<UnitProperty>& properties) {
  absl::MutexLock lock(&mu_);
  return StartLocked(name, properties);
}

absl::Status SystemdUnits::StartLocked(const std::string& name, const std::vector<UnitProperty>& properties) {
  const std::string what = absl::StrCat("StartTransientUnit ", name);
  ASSIGN_OR_RETURN(auto watch, JobWatch::Watch(bus_.get()));
  ASSIGN_OR_RETURN(MessagePtr m, NewManagerCall(bus_.get(), "StartTransientUnit"));
  int r = sd_bus_message_append(m.get(), "ss", name.c_str(), "fail");
  if (r < 0) return BusStatus(what, r, kNoBusError);
  RETURN_IF_ERROR(AppendProperties(m.get(), properties));
  r = sd_bus_message_append(m.get(), "a(sa(sv))", 0);  // no auxiliary units
  if (r < 0) return BusStatus(what, r, kNoBusError);
  ASSIGN_OR_RETURN(std::string job, Call(bus_.get(), m.get(), what, options_.call_timeout));
  return watch->Wait(job, what, options_.job_timeout);
}

absl::Status SystemdUnits::SetProperties(const std::string& name, const std::vector<UnitProperty>& properties) {
  absl::MutexLock lock(&mu_);
  const std::string what = absl::StrCat("SetUnitProperties ", name);
  ASSIGN_OR_RETURN(MessagePtr m, NewManagerCall(bus_.get(), "SetUnitProperties"));
  int r = sd_bus_message_append(m.get(), "sb", name.c_str(), 1);
  if (r < 0) return BusStatus(what, r, kNoBusError);
  RETURN_IF_ERROR(AppendProperties(m.get(), properties));
  return Call(bus_.get(), m.get(), what, options_.call_timeout).status();
}

absl::Status SystemdUnits::Stop(const std::string& name) {
  absl::MutexLock lock(&mu_);
  return StopLocked(name);
}

absl::Status SystemdUnits::StopLocked(const std::string& name) {
  const std::string what = absl::StrCat("StopUnit ", name);
  ASSIGN_OR_RETURN(auto watch, JobWatch::Watch(bus_.get()));
  ASSIGN_OR_RETURN(MessagePtr m, NewManagerCall(bus_.get(), "StopUnit"));
  int r = sd_bus_message_append(m.get(), "ss", name.c_str(), "replace");
  if (r < 0) return BusStatus(what, r, kNoBusError);
  auto job = Call(bus_.get(), m.get(), what, options_.call_timeout);
  if (absl::IsNotFound(job.status())) return absl::OkStatus();  // not loaded: nothing to stop
  if (!job.ok()) return job.status();
  RETURN_IF_ERROR(watch->Wait(*job, what, options_.job_timeout));
  ASSIGN_OR_RETURN(MessagePtr reset, NewManagerCall(bus_.get(), "ResetFailedUnit"));
  r = sd_bus_message_append(reset.get(), "s", name.c_str());
  if (r < 0) return BusStatus(absl::StrCat("ResetFailedUnit ", name), r, kNoBusError);
  auto reset_done = Call(bus_.get(), reset.get(), absl::StrCat("ResetFailedUnit ", name), options_.call_timeout);
  if (!reset_done.ok() && !absl::IsNotFound(reset_done.status())) return reset_done.status();
  return absl::OkStatus();
}

absl::StatusOr<std::string> SystemdUnits::ReadUnitString(const std::string& name, const char* interface,
                                                         const char* property) {
  const std::string what = absl::StrCat("GetUnit ", name);
  ASSIGN_OR_RETURN(MessagePtr m, NewManagerCall(bus_.get(), "GetUnit"));
  int r = sd_bus_message_append(m.get(), "s", name.c_str());
  if (r < 0) return BusStatus(what, r, kNoBusError);
  ASSIGN_OR_RETURN(std::string path, Call(bus_.get(), m.get(), what, options_.call_timeout));
  BusError error;
  char* value = nullptr;
  r = sd_bus_get_property_string(bus_.get(), kDestination, path.c_str(), interface, property, error.get(), &value);
  if (r < 0) return BusStatus(absl::StrCat("read ", property, " of ", name), r, error.error());
  std::string out = value;
  free(value);  // NOLINT: sd-bus hands over a malloc'd string
  return out;
}

absl::StatusOr<std::string> SystemdUnits::ControlGroup(const std::string& name) {
  absl::MutexLock lock(&mu_);
  return ReadUnitString(name, TypeInterface(name), "ControlGroup");
}

absl::StatusOr<std::string> SystemdUnits::ActiveState(const std::string& name) {
  absl::MutexLock lock(&mu_);
  return ReadUnitString(name, "org.freedesktop.systemd1.Unit", "ActiveState");
}

}  // namespace podagent::systemd
