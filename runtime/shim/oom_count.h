#pragma once
// Whether the kernel's OOM killer struck a container: its cgroup's oom_kill count (v2
// memory.events, v1 memory.oom_control) read when the shim starts and when the container exits.
//
// Under the systemd cgroup driver the container's cgroup is a scope that systemd removes as soon
// as it empties, so after an OOM kill of the whole cgroup (memory.oom.group) its memory.events may
// be gone before the shim reads it. Two defences: the count is read at once when the container's
// init is reaped, before the output is drained; and when even that read fails, the pod's
// memory.events (the parent cgroup's; v2's counts are hierarchical) decides, for a container that
// died by SIGKILL (how the OOM killer ends a process) only.
//
//   OomCount oom(spec.oom_events_file);   // before the container runs
//   oom.AtExit();                         // when its init is reaped
//   rec.oom_killed = oom.Killed(signal);  // when the exit record is written

#include <cstdint>
#include <optional>
#include <string>

namespace podagent {

// The oom_kill field of a memory.events or memory.oom_control file; nullopt when unreadable.
std::optional<uint64_t> ReadOomKillCount(const std::string& path);
// The parent cgroup's memory.events beside a v2 memory.events path; "" for anything else.
std::string ParentMemoryEvents(const std::string& events_file);

class OomCount {
 public:
  explicit OomCount(std::string events_file);
  void AtExit();
  bool Killed(int signal);

 private:
  std::string file_, parent_file_;
  uint64_t before_ = 0;
  std::optional<uint64_t> parent_before_;
  std::optional<uint64_t> at_exit_;
};

}  // namespace podagent
