#include "runtime/process/proc_stat.h"

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/common/files.h"

namespace podagent {

absl::StatusOr<ProcStat> ParseProcStat(absl::string_view content) {
  size_t close = content.rfind(')');
  if (close == absl::string_view::npos || close + 2 > content.size()) {
    return absl::InvalidArgumentError("parse /proc stat: no command name");
  }
  // Fields after the name start at field 3 (state): index 0 here.
  std::vector<absl::string_view> f = absl::StrSplit(content.substr(close + 2), ' ', absl::SkipEmpty());
  if (f.size() < 20 || f[0].size() != 1) return absl::InvalidArgumentError("parse /proc stat: too few fields");
  ProcStat st;
  st.state = f[0][0];
  int ppid = 0;
  if (!absl::SimpleAtoi(f[1], &ppid) || !absl::SimpleAtoi(f[19], &st.start_time)) {
    return absl::InvalidArgumentError("parse /proc stat: bad ppid or start time");
  }
  st.ppid = ppid;
  return st;
}

absl::StatusOr<ProcStat> ReadProcStat(pid_t pid) {
  std::string path = absl::StrCat("/proc/", pid, "/stat");
  auto content = ReadFile(path);
  if (!content.ok()) return content.status();
  auto st = ParseProcStat(*content);
  if (!st.ok()) return absl::InternalError(absl::StrCat(path, ": ", st.status().message()));
  return st;
}

}  // namespace podagent
