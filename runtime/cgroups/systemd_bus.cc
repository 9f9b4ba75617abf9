#include "runtime/cgroups/systemd_bus.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace podagent::systemd {
namespace {

uint64_t Usec(absl::Duration d) { return static_cast<uint64_t>(std::max<int64_t>(1, absl::ToInt64Microseconds(d))); }

absl::StatusCode CodeOf(int r, const sd_bus_error& error) {
  if (sd_bus_error_is_set(&error)) {
    std::string name = error.name;
    if (name == "org.freedesktop.systemd1.NoSuchUnit") return absl::StatusCode::kNotFound;
    if (name == "org.freedesktop.systemd1.UnitExists") return absl::StatusCode::kAlreadyExists;
    if (name == "org.freedesktop.DBus.Error.InvalidArgs" || name == "org.freedesktop.DBus.Error.PropertyReadOnly") {
      return absl::StatusCode::kInvalidArgument;  // PropertyReadOnly: systemd's answer to an unknown property
    }
    if (name == "org.freedesktop.DBus.Error.AccessDenied") return absl::StatusCode::kPermissionDenied;
    if (name == "org.freedesktop.DBus.Error.Timeout" || name == "org.freedesktop.DBus.Error.NoReply") {
      return absl::StatusCode::kDeadlineExceeded;
    }
    if (name == "org.freedesktop.DBus.Error.ServiceUnknown") return absl::StatusCode::kUnavailable;
    return absl::StatusCode::kInternal;
  }
  switch (-r) {
    case ETIMEDOUT:
      return absl::StatusCode::kDeadlineExceeded;
    case ENOENT:
    case ECONNREFUSED:
    case ECONNRESET:
    case ENOTCONN:
    case EPIPE:
      return absl::StatusCode::kUnavailable;
    default:
      return absl::StatusCode::kInternal;
  }
}

absl::StatusOr<BusPtr> OpenPrivate() {
  sd_bus* raw = nullptr;
  int r = sd_bus_new(&raw);
  if (r < 0) return BusStatus("sd_bus_new", r, kNoBusError);
  BusPtr bus(raw);
  r = sd_bus_set_address(bus.get(), absl::StrCat("unix:path=", kPrivateSocket).c_str());
  if (r >= 0) r = sd_bus_start(bus.get());
  if (r < 0) return BusStatus(absl::StrCat("connect to ", kPrivateSocket), r, kNoBusError);
  return bus;
}

absl::StatusOr<BusPtr> OpenSystem() {
  sd_bus* raw = nullptr;
  int r = sd_bus_open_system(&raw);
  if (r < 0) return BusStatus("connect to the system bus", r, kNoBusError);
  return BusPtr(raw);
}

// The bus answers and a systemd manager is on the other end.
absl::StatusOr<BusPtr> Checked(absl::StatusOr<BusPtr> bus, absl::Duration timeout) {
  if (!bus.ok()) return bus.status();
  sd_bus_set_method_call_timeout(bus->get(), Usec(timeout));
  auto version = ManagerVersion(bus->get());
  if (!version.ok()) return version.status();
  return bus;
}

}  // namespace

absl::Status BusStatus(const std::string& what, int r, const sd_bus_error& error) {
  std::string detail = sd_bus_error_is_set(&error)
                           ? absl::StrCat(error.name, ": ", error.message != nullptr ? error.message : "")
                           : std::string(std::strerror(-r));
  return absl::Status(CodeOf(r, error), absl::StrCat("systemd: ", what, ": ", detail));
}

absl::StatusOr<std::string> ManagerVersion(sd_bus* bus) {
  BusError error;
  sd_bus_message* raw = nullptr;
  int r = sd_bus_call_method(bus, kDestination, kManagerPath, "org.freedesktop.DBus.Properties", "Get", error.get(),
                             &raw, "ss", kManagerInterface, "Version");
  MessagePtr reply(raw);
  if (r < 0) return BusStatus("read the manager's Version", r, error.error());
  const char* version = nullptr;
  r = sd_bus_message_read(reply.get(), "v", "s", &version);
  if (r < 0) return BusStatus("parse the manager's Version", r, kNoBusError);
  return std::string(version);
}

absl::StatusOr<BusPtr> ConnectToSystemd(absl::Duration timeout) {
  std::string tried;
  if (::geteuid() == 0) {
    auto checked = Checked(OpenPrivate(), timeout);
    if (checked.ok()) return checked;
    tried = absl::StrCat(checked.status().message(), "; ");
  }
  auto checked = Checked(OpenSystem(), timeout);
  if (checked.ok()) return checked;
  return absl::UnavailableError(
      absl::StrCat("systemd is not reachable over D-Bus (is PID 1 systemd?): ", tried, checked.status().message()));
}

}  // namespace podagent::systemd
