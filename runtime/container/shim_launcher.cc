#include "runtime/container/shim_launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/process/run_command.h"
#include "runtime/process/spawn.h"

namespace podagent {
namespace {

// F_SEAL_WRITE first waits, in the kernel, for every extra reference to the memfd's pages to go
// (about 150 ms at most) and fails with EBUSY if one stays. Seen once in about 600 daemon starts
// on kernel 6.18, on a fresh copy nothing else could reach; a new copy sealed again succeeds.
constexpr int kSealAttempts = 3;

// One copy of `path` in a sealed memfd; *busy is set when only the seal failed, with EBUSY.
absl::StatusOr<UniqueFd> SealedCopyOnce(const std::string& path, bool* busy) {
  *busy = false;
  UniqueFd src(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!src) return ErrnoError("open shim binary " + path);
  struct stat st;
  if (::fstat(src.Get(), &st) != 0) return ErrnoError("stat " + path);
  UniqueFd mem(::memfd_create("podagent-shim", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!mem) return ErrnoError("memfd_create");
  off_t off = 0;
  while (off < st.st_size) {
    ssize_t n = ::sendfile(mem.Get(), src.Get(), &off, static_cast<size_t>(st.st_size - off));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoError("copy " + path + " into memfd");
  }
  if (::fchmod(mem.Get(), 0555) != 0) return ErrnoError("fchmod memfd");
  if (::fcntl(mem.Get(), F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) != 0) {
    *busy = errno == EBUSY;
    return ErrnoError("seal shim memfd");
  }
  return mem;
}

absl::StatusOr<UniqueFd> SealedCopy(const std::string& path) {
  for (int attempt = 1;; ++attempt) {
    bool busy = false;
    absl::StatusOr<UniqueFd> mem = SealedCopyOnce(path, &busy);
    if (mem.ok() || !busy || attempt == kSealAttempts) {
      if (!mem.ok() && busy) return Annotate(mem.status(), absl::StrCat(attempt, " copies, each"));
      return mem;
    }
  }
}

// Reads the shim's one-object report until EOF or the deadline.
absl::StatusOr<std::string> ReadReport(int fd, absl::Time deadline) {
  std::string out;
  for (;;) {
    int ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (ms <= 0) return absl::DeadlineExceededError("podagent-shim did not report in time");
    struct pollfd p {fd, POLLIN, 0};
    int n = ::poll(&p, 1, ms);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("poll shim report");
    if (n == 0) continue;
    char buf[4096];
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return out;
    out.append(buf, static_cast<size_t>(r));
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<ShimLauncher>> ShimLauncher::Create(const std::string& shim_binary) {
  ASSIGN_OR_RETURN(UniqueFd mem, SealedCopy(shim_binary));
  return std::unique_ptr<ShimLauncher>(new ShimLauncher(std::move(mem)));
}

std::string ShimLauncher::ExecPath() const { return absl::StrCat("/proc/", ::getpid(), "/fd/", memfd_.Get()); }

absl::StatusOr<StartRecord> ShimLauncher::Start(const std::string& state_dir, absl::Duration timeout) const {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return ErrnoError("pipe");
  UniqueFd r(p[0]), w(p[1]);
  SpawnOptions o;
  o.argv = {ExecPath(), "start", state_dir};
  o.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  o.fds = {{3, w.Get()}};
  ASSIGN_OR_RETURN(ChildProcess first, Spawn(o));
  w.Reset();
  // The first process forks the long-lived shim and exits at once; reap it.
  first.Wait(absl::Seconds(10)).IgnoreError();
  ASSIGN_OR_RETURN(std::string text, ReadReport(r.Get(), absl::Now() + timeout));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InternalError(absl::StrCat("podagent-shim for ", state_dir, " ended without a report"));
  }
  if (!j.value("ok", false)) {
    int err = j.value("errno", 0);
    std::string msg = j.value("message", std::string("unknown error"));
    return err > 0 ? absl::Status(ErrnoError(err, "").code(), msg) : absl::InternalError(msg);
  }
  StartRecord rec;
  rec.pid = j.value("pid", 0);
  rec.pid_start_time = j.value("pid_start_time", uint64_t{0});
  rec.shim_pid = j.value("shim_pid", 0);
  rec.started_at_ns = j.value("started_at_ns", int64_t{0});
  return rec;
}

absl::StatusOr<ExecSyncResult> ShimLauncher::ExecSync(const std::string& state_dir, pid_t pid,
                                                      const std::vector<std::string>& cmd, absl::Duration timeout,
                                                      size_t output_limit) const {
  if (cmd.empty()) return absl::InvalidArgumentError("exec: empty command");
  CommandOptions o;
  o.argv = {ExecPath(), "exec", state_dir, std::to_string(pid)};
  o.argv.insert(o.argv.end(), cmd.begin(), cmd.end());
  o.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  o.timeout = timeout;
  o.timeout_signal = SIGTERM;  // the helper kills the command's process group and reaps it
  o.max_output = output_limit;
  ASSIGN_OR_RETURN(CommandResult r, RunCommand(o));
  ExecSyncResult out;
  out.exit_code = r.signal != 0 ? 128 + r.signal : r.exit_code;
  out.out = std::move(r.out);
  out.err = std::move(r.err);
  return out;
}

}  // namespace podagent
