#include "runtime/shim/cri_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "runtime/common/errors.h"

namespace podagent::shim {
namespace {

int64_t RealtimeNs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void WriteAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a full disk loses log lines, never the container
    off += static_cast<size_t>(n);
  }
}

}  // namespace

std::string FormatLogTime(int64_t unix_ns) {
  time_t secs = static_cast<time_t>(unix_ns / 1000000000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(buf + n, sizeof buf - n, ".%09lldZ", static_cast<long long>(unix_ns % 1000000000));
  return buf;
}

std::string FormatLogEntry(int64_t unix_ns, Stream stream, bool partial, const std::string& text) {
  std::string out = FormatLogTime(unix_ns);
  out += stream == Stream::kStdout ? " stdout " : " stderr ";
  out += partial ? "P " : "F ";
  out += text;
  out += '\n';
  return out;
}

CriLogWriter::CriLogWriter(std::string path, std::function<int64_t()> now)
    : path_(std::move(path)), now_(now ? std::move(now) : RealtimeNs) {}

absl::Status CriLogWriter::Open() {
  if (path_.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(fd_, OpenLogFile(path_));
  return absl::OkStatus();
}

absl::StatusOr<UniqueFd> OpenLogFile(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash + 1 == path.size()) {
    return absl::InvalidArgumentError("log path " + path + " names no file in a directory");
  }
  std::string dir = slash == 0 ? "/" : path.substr(0, slash), base = path.substr(slash + 1);
  UniqueFd dir_fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir_fd) return ErrnoError("open log directory " + dir);
  UniqueFd fd(::openat(dir_fd.Get(), base.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
                       0640));
  if (!fd) return ErrnoError("open log " + path);
  struct stat st;
  if (::fstat(fd.Get(), &st) != 0) return ErrnoError("stat log " + path);
  if (!S_ISREG(st.st_mode)) return absl::FailedPreconditionError("log " + path + " is not a regular file");
  return fd;
}

absl::Status CriLogWriter::Reopen() { return Open(); }

void CriLogWriter::Feed(Stream stream, const char* data, size_t size) {
  std::string& buf = pending_[static_cast<int>(stream)];
  buf.append(data, size);
  size_t start = 0;
  for (;;) {
    size_t nl = buf.find('\n', start);
    size_t line_end = nl == std::string::npos ? buf.size() : nl;
    if (line_end - start > kMaxLogLine) {
      Emit(stream, buf.substr(start, kMaxLogLine), true);
      start += kMaxLogLine;
      continue;
    }
    if (nl == std::string::npos) break;
    Emit(stream, buf.substr(start, nl - start), false);
    start = nl + 1;
  }
  buf.erase(0, start);
}

void CriLogWriter::Flush(Stream stream) {
  std::string& buf = pending_[static_cast<int>(stream)];
  if (!buf.empty()) Emit(stream, buf, false);
  buf.clear();
}

void CriLogWriter::Emit(Stream stream, const std::string& text, bool partial) {
  if (!fd_) return;
  WriteAll(fd_.Get(), FormatLogEntry(now_(), stream, partial, text));
}

}  // namespace podagent::shim
