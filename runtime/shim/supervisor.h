#pragma once
// `podagent-shim start <state_dir>`: builds the container described by <state_dir>/spec.json,
// reports the outcome on fd 3 (one JSON object: {"ok":true,"pid":...} or {"ok":false,"errno":...,
// "message":...}), then stays the container's parent in its own session, independent of the
// daemon: copies stdout/stderr into the CRI log, keeps stdin open when asked, reopens the log on
// request (SIGUSR1 or "reopen" on the control FIFO), and when the container ends writes exit.json
// into the space it reserved before the container ran (exit.reserve), renames it, and exits.

#include <string>

namespace podagent::shim {

int RunStart(const std::string& state_dir, int status_fd);

}  // namespace podagent::shim
