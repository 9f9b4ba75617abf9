#pragma once
// CriLogWriter: container output in the CRI log format, one entry per line:
//   2016-10-06T00:17:09.669794202Z stdout F the line
// F ends a line; P marks a part of a line longer than kMaxLogLine (or cut at the end of output),
// continued by the next entry of the same stream. Reopen() starts a new file at the same path
// (after kubelet rotated the old one away).

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/common/unique_fd.h"

namespace podagent::shim {

inline constexpr size_t kMaxLogLine = 16 * 1024;

enum class Stream { kStdout = 0, kStderr = 1 };

// RFC 3339 with nanoseconds, UTC: "2026-11-23T11:13:55.000000001Z".
std::string FormatLogTime(int64_t unix_ns);
std::string FormatLogEntry(int64_t unix_ns, Stream stream, bool partial, const std::string& text);

// Opens (creating, 0640) the log file for appending, beneath its directory's fd: neither the
// directory's last component nor the file may be a symlink (O_NOFOLLOW), and a FIFO or a device
// planted there is refused without blocking (O_NONBLOCK, then a regular file is required).
absl::StatusOr<UniqueFd> OpenLogFile(const std::string& path);

class CriLogWriter {
 public:
  // `path` empty: output is read and dropped.
  explicit CriLogWriter(std::string path, std::function<int64_t()> now = nullptr);
  absl::Status Open();
  absl::Status Reopen();
  // Takes raw output of one stream; writes every complete line, keeps the rest buffered.
  void Feed(Stream stream, const char* data, size_t size);
  // End of a stream: writes what is buffered as a last entry.
  void Flush(Stream stream);

 private:
  void Emit(Stream stream, const std::string& text, bool partial);

  std::string path_;
  std::function<int64_t()> now_;
  UniqueFd fd_;
  std::string pending_[2];
};

}  // namespace podagent::shim
