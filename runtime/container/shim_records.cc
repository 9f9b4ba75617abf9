#include "runtime/container/shim_records.h"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/common/unique_fd.h"

namespace podagent {
namespace {

absl::StatusOr<std::optional<nlohmann::json>> ReadJson(const std::string& path) {
  auto text = ReadFile(path);
  if (absl::IsNotFound(text.status())) return std::optional<nlohmann::json>();
  if (!text.ok()) return text.status();
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return absl::DataLossError(absl::StrCat(path, ": not a json object"));
  return std::optional<nlohmann::json>(std::move(j));
}

}  // namespace

absl::Status WriteStartRecord(const std::string& state_dir, const StartRecord& r) {
  nlohmann::json j = {{"pid", r.pid}, {"pid_start_time", r.pid_start_time}, {"shim_pid", r.shim_pid},
                      {"started_at_ns", r.started_at_ns}};
  return WriteFileAtomic(StartRecordPath(state_dir), j.dump());
}

absl::Status WriteExitRecord(const std::string& state_dir, const ExitRecord& r) {
  nlohmann::json j = {{"exit_code", r.exit_code}, {"signal", r.signal}, {"oom_killed", r.oom_killed},
                      {"finished_at_ns", r.finished_at_ns}};
  return WriteFileAtomic(ExitRecordPath(state_dir), j.dump());
}

absl::StatusOr<std::optional<StartRecord>> ReadStartRecord(const std::string& state_dir) {
  ASSIGN_OR_RETURN(auto j, ReadJson(StartRecordPath(state_dir)));
  if (!j) return std::optional<StartRecord>();
  StartRecord r;
  r.pid = j->value("pid", 0);
  r.pid_start_time = j->value("pid_start_time", uint64_t{0});
  r.shim_pid = j->value("shim_pid", 0);
  r.started_at_ns = j->value("started_at_ns", int64_t{0});
  return std::optional<StartRecord>(r);
}

absl::StatusOr<std::optional<ExitRecord>> ReadExitRecord(const std::string& state_dir) {
  ASSIGN_OR_RETURN(auto j, ReadJson(ExitRecordPath(state_dir)));
  if (!j) return std::optional<ExitRecord>();
  ExitRecord r;
  r.exit_code = j->value("exit_code", 0);
  r.signal = j->value("signal", 0);
  r.oom_killed = j->value("oom_killed", false);
  r.finished_at_ns = j->value("finished_at_ns", int64_t{0});
  return std::optional<ExitRecord>(r);
}

absl::Status RequestLogReopen(const std::string& state_dir) {
  std::string path = ControlPath(state_dir);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    if (errno == ENXIO || errno == ENOENT) {
      return absl::FailedPreconditionError(absl::StrCat("no shim is serving ", path, ": container not running"));
    }
    return ErrnoError(absl::StrCat("open ", path));
  }
  static const char kReopen[] = "reopen\n";
  if (::write(fd.Get(), kReopen, sizeof kReopen - 1) < 0) return ErrnoError(absl::StrCat("write ", path));
  return absl::OkStatus();
}

}  // namespace podagent
