#include "runtime/shim/cgroup_join.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"

namespace podagent {
namespace {

constexpr char kProcs[] = "cgroup.procs";

}  // namespace

int ThreadCount() {
  auto stat = ReadFile("/proc/self/stat");
  if (!stat.ok()) return 0;
  // Field 20 (num_threads), counted after the ")" that ends the command name.
  size_t close = stat->rfind(')');
  if (close == std::string::npos) return 0;
  std::vector<std::string> fields = absl::StrSplit(stat->substr(close + 2), ' ');
  int n = 0;
  return fields.size() > 17 && absl::SimpleAtoi(fields[17], &n) ? n : 0;
}

absl::Status JoinCgroups(const std::vector<std::string>& procs_files) {
  // Counted once: nothing between two joins starts a thread.
  const bool quick = ThreadCount() == 1;
  for (const std::string& procs : procs_files) {
    if (quick && absl::EndsWith(procs, kProcs)) {
      std::string tasks = absl::StrCat(procs.substr(0, procs.size() - (sizeof kProcs - 1)), "tasks");
      absl::Status st = WriteFile(tasks, "0");
      if (st.ok()) continue;
      if (!absl::IsNotFound(st)) return st;  // else no `tasks` here (v2): cgroup.procs
    }
    RETURN_IF_ERROR(WriteFile(procs, std::to_string(::getpid())));
  }
  return absl::OkStatus();
}

}  // namespace podagent
