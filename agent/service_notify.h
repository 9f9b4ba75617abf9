#pragma once
// The daemon's state for a service manager that asks for it: systemd's Type=notify passes
// $NOTIFY_SOCKET, and sd_notify (libsystemd) sends there. Ready once the CRI socket accepts
// calls, so `systemctl start podagent` returns only when kubelet can connect; Stopping when a
// stop signal arrives. Without $NOTIFY_SOCKET both do nothing. Failures are logged, never fatal.

#include <string>

namespace podagent {

void NotifyReady(const std::string& cri_socket);
void NotifyStopping();

}  // namespace podagent
