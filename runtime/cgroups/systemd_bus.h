#pragma once
// A connection to systemd's manager over D-Bus (libsystemd's sd-bus), owned RAII: as root the
// manager's private socket /run/systemd/private (no dbus-daemon needed), else the system bus.
// sd-bus objects are not thread-safe: one SystemdBus is used by one thread at a time (the
// caller locks; SystemdUnits does).

#include <systemd/sd-bus.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace podagent::systemd {

inline constexpr char kPrivateSocket[] = "/run/systemd/private";
inline constexpr char kDestination[] = "org.freedesktop.systemd1";
inline constexpr char kManagerPath[] = "/org/freedesktop/systemd1";
inline constexpr char kManagerInterface[] = "org.freedesktop.systemd1.Manager";

struct BusDeleter {
  void operator()(sd_bus* bus) const { sd_bus_flush_close_unref(bus); }
};
struct MessageDeleter {
  void operator()(sd_bus_message* m) const { sd_bus_message_unref(m); }
};
struct SlotDeleter {
  void operator()(sd_bus_slot* s) const { sd_bus_slot_unref(s); }
};
using BusPtr = std::unique_ptr<sd_bus, BusDeleter>;
using MessagePtr = std::unique_ptr<sd_bus_message, MessageDeleter>;
using SlotPtr = std::unique_ptr<sd_bus_slot, SlotDeleter>;

// An sd_bus_error freed on scope exit.
class BusError {
 public:
  BusError() = default;
  ~BusError() { sd_bus_error_free(&error_); }
  BusError(const BusError&) = delete;
  BusError& operator=(const BusError&) = delete;
  sd_bus_error* get() { return &error_; }
  const sd_bus_error& error() const { return error_; }

 private:
  sd_bus_error error_{};
};

// No D-Bus error (SD_BUS_ERROR_NULL is a C compound literal, not ISO C++).
inline const sd_bus_error kNoBusError{};

// The status for a failed sd-bus call `what` (r < 0): systemd's D-Bus error name and message
// when it sent one ("org.freedesktop.systemd1.NoSuchUnit: Unit x.scope not loaded."), else the
// errno. NoSuchUnit -> NotFound, UnitExists -> AlreadyExists, InvalidArgs and PropertyReadOnly
// -> InvalidArgument,
// ETIMEDOUT -> DeadlineExceeded, no connection -> Unavailable, else Internal.
absl::Status BusStatus(const std::string& what, int r, const sd_bus_error& error);

// Connects to systemd and checks that the manager answers (reads its Version) within
// `timeout`; Unavailable with both attempts' errors when neither the private socket nor the
// system bus reaches a systemd.
absl::StatusOr<BusPtr> ConnectToSystemd(absl::Duration timeout);

// The manager's Version property ("252.30-1~deb12u2"), within the bus' method call timeout.
absl::StatusOr<std::string> ManagerVersion(sd_bus* bus);

}  // namespace podagent::systemd
