#pragma once
// What podagent-shim leaves in a container's state dir (<run_dir>/containers/<id>/), each file
// written atomically, so the daemon can rebuild a container's state after any crash:
//   started.json  the container process (pid + start time) and when it started
//   exit.json     exit code, signal, finished_at and OOM kill; the shim exits once it is written
//   exit.reserve  exit.json's space, taken when the shim starts: kExitRecordBytes of spaces, fsynced.
//                 WriteExitRecord overwrites it in place (pwrite + fsync: no new block, so a full
//                 disk cannot lose the exit code) and renames it to exit.json. Until then it reads
//                 as "not exited yet".
//   control       a FIFO the shim reads requests from ("reopen\n": reopen the log file)

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace podagent {

struct StartRecord {
  pid_t pid = 0;
  uint64_t pid_start_time = 0;  // /proc/PID/stat field 22
  pid_t shim_pid = 0;
  int64_t started_at_ns = 0;
};

struct ExitRecord {
  int exit_code = 0;   // 128 + signal when killed by a signal
  int signal = 0;
  bool oom_killed = false;
  int64_t finished_at_ns = 0;
};

inline std::string SpecPath(const std::string& state_dir) { return state_dir + "/spec.json"; }
inline std::string StartRecordPath(const std::string& state_dir) { return state_dir + "/started.json"; }
inline std::string ExitRecordPath(const std::string& state_dir) { return state_dir + "/exit.json"; }
inline std::string ExitReservePath(const std::string& state_dir) { return state_dir + "/exit.reserve"; }
inline std::string ControlPath(const std::string& state_dir) { return state_dir + "/control"; }

// The fixed size of an exit record on disk: its JSON padded with spaces. Also the most a reader reads.
inline constexpr size_t kExitRecordBytes = 512;

absl::Status WriteStartRecord(const std::string& state_dir, const StartRecord& r);
// Takes the exit record's space before the container runs; fails (ResourceExhausted) on a full disk.
absl::Status ReserveExitRecord(const std::string& state_dir);
// Fills the reservation and renames it to exit.json; without one, writes exit.json atomically.
absl::Status WriteExitRecord(const std::string& state_dir, const ExitRecord& r);
// nullopt when the file does not exist (not started / not exited yet). An exit record is also read
// from exit.reserve when the rename to exit.json did not happen; a reservation still blank (or
// being written) is nullopt.
absl::StatusOr<std::optional<StartRecord>> ReadStartRecord(const std::string& state_dir);
absl::StatusOr<std::optional<ExitRecord>> ReadExitRecord(const std::string& state_dir);

// Asks a running shim to reopen its log file. FailedPrecondition when no shim reads the FIFO.
absl::Status RequestLogReopen(const std::string& state_dir);

}  // namespace podagent
