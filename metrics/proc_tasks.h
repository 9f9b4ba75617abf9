#pragma once
// container_tasks_state: how many tasks (threads) of a cgroup's own processes are in each state,
// counted from the state letter of /proc/<pid>/task/<tid>/stat. cAdvisor takes these figures
// from netlink taskstats (CGROUPSTATS_CMD_GET, only with --enable_load_reader); /proc gives the
// same states except one: whether a task sleeps in IO wait (the kernel's in_iowait flag) is not in
// /proc, so iowaiting is always 0 here (see docs/metrics.md). Bounded like proc_fds.h; pids are
// parsed as numbers and nothing a container controls is followed.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace podagent {

struct TaskStates {
  uint64_t running = 0;          // R
  uint64_t sleeping = 0;         // S
  uint64_t stopped = 0;          // T (job control) and t (ptrace stop)
  uint64_t uninterruptible = 0;  // D
  uint64_t iowaiting = 0;        // not visible in /proc: always 0
};

// Threads looked at per process and scrape (processes: kMaxFdProcesses of proc_fds.h).
inline constexpr int kMaxTasksPerProcess = 16384;

// The state letter of a /proc/<pid>/stat line: the first field after the last ')' (the command
// name may hold spaces and parentheses). nullopt when the line has no such field.
std::optional<char> ParseStatState(absl::string_view stat);
// Adds one task of state `state` to `out`; other letters (Z, X, I, ...) are not counted.
void CountState(char state, TaskStates& out);

// The states of every task of the pids in `procs` (cgroup.procs content). Gone processes skipped.
TaskStates CountTaskStates(absl::string_view procs, const std::string& proc_root = "/proc");
// The same for the cgroup.procs file in `dir`; nullopt when it cannot be read.
std::optional<TaskStates> ReadCgroupTaskStates(const std::string& dir, const std::string& proc_root = "/proc");

}  // namespace podagent
