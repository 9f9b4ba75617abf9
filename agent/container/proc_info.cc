#include "agent/container/proc_info.h"

#include <fcntl.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/hostfs/bounded_read.h"
#include "runtime/image/path_safety.h"
#include "runtime/common/errors.h"

namespace podagent {
namespace {

constexpr size_t kStatusLimit = 64 << 10;
constexpr size_t kCmdlineLimit = 4096;  // what `ps` shows of a command line, about

std::vector<pid_t> Pids(absl::string_view value) {
  std::vector<pid_t> out;
  for (absl::string_view f : absl::StrSplit(value, absl::ByAnyChar(" \t"), absl::SkipEmpty())) {
    int p = 0;
    if (absl::SimpleAtoi(f, &p)) out.push_back(p);
  }
  return out;
}

absl::StatusOr<std::string> ReadProcFile(int proc_fd, pid_t pid, const char* file, size_t limit) {
  auto fd = OpenBeneath(proc_fd, absl::StrCat(pid, "/", file), O_RDONLY, "/proc");
  if (!fd.ok()) return fd.status();
  return ReadHead(fd->Get(), limit, absl::StrCat("/proc/", pid, "/", file));
}

}  // namespace

absl::StatusOr<ProcInfo> ParseProcStatus(const std::string& status) {
  ProcInfo p;
  bool have_uid = false;
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(line, absl::MaxSplits(':', 1));
    absl::string_view v = absl::StripAsciiWhitespace(kv.second);
    if (kv.first == "Name") p.name = std::string(v);
    if (kv.first == "State" && !v.empty()) p.state = v[0];
    if (kv.first == "NSpid") p.ns_pids = Pids(v);
    if (kv.first == "Uid") {
      std::vector<pid_t> ids = Pids(v);
      have_uid = ids.size() >= 2;
      if (have_uid) p.uid = static_cast<uid_t>(ids[1]);
    }
  }
  if (p.ns_pids.empty() || !have_uid) return absl::InvalidArgumentError("status has no NSpid or Uid line");
  return p;
}

std::string CmdlineText(const std::string& cmdline) {
  std::string s = cmdline;
  while (!s.empty() && s.back() == '\0') s.pop_back();
  for (char& c : s) {
    if (c == '\0') c = ' ';
  }
  return s;
}

absl::StatusOr<ProcInfo> ReadProcInfo(pid_t pid) {
  UniqueFd proc(::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!proc) return ErrnoError("open /proc");
  auto status = ReadProcFile(proc.Get(), pid, "status", kStatusLimit);
  if (!status.ok()) return status.status();
  auto p = ParseProcStatus(*status);
  if (!p.ok()) return Annotate(p.status(), absl::StrCat("/proc/", pid));
  auto cmdline = ReadProcFile(proc.Get(), pid, "cmdline", kCmdlineLimit);
  p->command = cmdline.ok() ? CmdlineText(*cmdline) : "";
  if (p->command.empty()) p->command = absl::StrCat("[", p->name, "]");
  return p;
}

}  // namespace podagent
