#include "runtime/shim/oom_count.h"

#include <csignal>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "runtime/common/files.h"

namespace podagent {

std::optional<uint64_t> ReadOomKillCount(const std::string& path) {
  if (path.empty()) return std::nullopt;
  auto text = ReadFile(path);
  if (!text.ok()) return std::nullopt;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    uint64_t n = 0;
    if (f.size() == 2 && f[0] == "oom_kill" && absl::SimpleAtoi(f[1], &n)) return n;
  }
  return 0;  // a kernel without the field: no kill counted
}

std::string ParentMemoryEvents(const std::string& events_file) {
  constexpr absl::string_view kName = "/memory.events";
  if (!absl::EndsWith(events_file, kName)) return "";
  std::string dir = events_file.substr(0, events_file.size() - kName.size());
  auto slash = dir.rfind('/');
  if (slash == std::string::npos || slash == 0) return "";
  return dir.substr(0, slash) + std::string(kName);
}

OomCount::OomCount(std::string events_file)
    : file_(std::move(events_file)), parent_file_(ParentMemoryEvents(file_)) {
  before_ = ReadOomKillCount(file_).value_or(0);
  parent_before_ = ReadOomKillCount(parent_file_);
}

void OomCount::AtExit() {
  if (!at_exit_) at_exit_ = ReadOomKillCount(file_);
}

bool OomCount::Killed(int signal) {
  std::optional<uint64_t> after = at_exit_ ? at_exit_ : ReadOomKillCount(file_);
  if (after) return *after > before_;
  if (signal != SIGKILL || !parent_before_) return false;
  std::optional<uint64_t> parent_after = ReadOomKillCount(parent_file_);
  return parent_after && *parent_after > *parent_before_;
}

}  // namespace podagent
