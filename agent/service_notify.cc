#include "agent/service_notify.h"

#include <systemd/sd-daemon.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace podagent {
namespace {

// Keeps $NOTIFY_SOCKET (unset_environment = 0): Stopping needs it later. Children never see it;
// shims, pause and CNI plugins are started with environments of their own.
void Send(const std::string& state) {
  int r = ::sd_notify(0, state.c_str());
  if (r < 0) spdlog::warn("sd_notify {}: {}", state.substr(0, state.find('\n')), std::strerror(-r));
}

}  // namespace

void NotifyReady(const std::string& cri_socket) {
  Send(absl::StrCat("READY=1\nSTATUS=serving the CRI on unix://", cri_socket));
}

void NotifyStopping() { Send("STOPPING=1\nSTATUS=stopping: pods and containers keep running"); }

}  // namespace podagent
