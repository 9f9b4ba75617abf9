#pragma once
// Temp names that carry the process that made them: "<prefix><pid>.<start time>-<random>".
// The daemon and `podagent image import` share one store; at start each removes only the temp
// files and directories whose owner is gone, never another live process's work in flight. The
// start time (from /proc/PID/stat) tells a reused pid, or a restarted daemon with the same pid,
// from the owner.

#include <string>

#include "absl/strings/string_view.h"

namespace podagent {

// "<prefix><pid>.<start time>-<random>" for this process.
std::string OwnedTempName(absl::string_view prefix);

// True when `name` starts with `prefix` and the process that made it is no longer running
// (no such pid, a zombie, or another process with that pid), or when the name does not parse
// (a leftover of an older layout). False for names without `prefix`.
bool TempOwnerGone(absl::string_view name, absl::string_view prefix);

}  // namespace podagent
