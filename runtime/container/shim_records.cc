#include "runtime/container/shim_records.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

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

// At most kExitRecordBytes of `path`; NotFound when it does not exist.
absl::StatusOr<std::string> ReadBounded(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return ErrnoError(absl::StrCat("open ", path));
  std::string text(kExitRecordBytes + 1, '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::pread(fd.Get(), text.data() + got, text.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(absl::StrCat("read ", path));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > kExitRecordBytes) return absl::DataLossError(absl::StrCat(path, ": larger than ", kExitRecordBytes, " bytes"));
  text.resize(got);
  return text;
}

absl::StatusOr<ExitRecord> ParseExitRecord(const std::string& path, const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("exit_code")) {
    return absl::DataLossError(absl::StrCat(path, ": not an exit record"));
  }
  ExitRecord r;
  r.exit_code = j.value("exit_code", 0);
  r.signal = j.value("signal", 0);
  r.oom_killed = j.value("oom_killed", false);
  r.finished_at_ns = j.value("finished_at_ns", int64_t{0});
  return r;
}

// A record the shim filled but did not rename; nullopt while the reservation is blank or half written.
absl::StatusOr<std::optional<ExitRecord>> ReadReservedExitRecord(const std::string& state_dir) {
  std::string path = ExitReservePath(state_dir);
  auto text = ReadBounded(path);
  if (absl::IsNotFound(text.status())) return std::optional<ExitRecord>();
  if (!text.ok()) return text.status();
  auto r = ParseExitRecord(path, *text);
  if (!r.ok()) return std::optional<ExitRecord>();
  return std::optional<ExitRecord>(*r);
}

absl::Status PwriteAll(int fd, const std::string& data, const std::string& path) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::pwrite(fd, data.data() + off, data.size() - off, static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError(absl::StrCat("write ", path));
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return ErrnoError(absl::StrCat("fsync ", path));
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteStartRecord(const std::string& state_dir, const StartRecord& r) {
  nlohmann::json j = {{"pid", r.pid}, {"pid_start_time", r.pid_start_time}, {"shim_pid", r.shim_pid},
                      {"started_at_ns", r.started_at_ns}};
  return WriteFileAtomic(StartRecordPath(state_dir), j.dump());
}

absl::Status ReserveExitRecord(const std::string& state_dir) {
  std::string path = ExitReservePath(state_dir);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd) return ErrnoError(absl::StrCat("create ", path));
  // Real bytes, not fallocate: the blocks are then written and allocated on every filesystem.
  absl::Status st = PwriteAll(fd.Get(), std::string(kExitRecordBytes, ' '), path);
  if (!st.ok()) {
    ::unlink(path.c_str());
    return Annotate(st, "reserve the exit record");
  }
  return SyncDir(state_dir);
}

absl::Status WriteExitRecord(const std::string& state_dir, const ExitRecord& r) {
  nlohmann::json j = {{"exit_code", r.exit_code}, {"signal", r.signal}, {"oom_killed", r.oom_killed},
                      {"finished_at_ns", r.finished_at_ns}};
  std::string text = j.dump();
  if (text.size() > kExitRecordBytes) return absl::InternalError("exit record larger than its reservation");
  std::string reserve = ExitReservePath(state_dir);
  UniqueFd fd(::open(reserve.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd && errno == ENOENT) return WriteFileAtomic(ExitRecordPath(state_dir), text);
  if (!fd) return ErrnoError(absl::StrCat("open ", reserve));
  text.resize(kExitRecordBytes, ' ');  // the reservation's exact size: nothing to allocate
  RETURN_IF_ERROR(PwriteAll(fd.Get(), text, reserve));
  fd.Reset();
  std::string path = ExitRecordPath(state_dir);
  if (::rename(reserve.c_str(), path.c_str()) != 0) return ErrnoError(absl::StrCat("rename ", reserve, " to ", path));
  return SyncDir(state_dir);
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
  std::string path = ExitRecordPath(state_dir);
  auto text = ReadBounded(path);
  if (absl::IsNotFound(text.status())) return ReadReservedExitRecord(state_dir);
  if (!text.ok()) return text.status();
  ASSIGN_OR_RETURN(ExitRecord r, ParseExitRecord(path, *text));
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
