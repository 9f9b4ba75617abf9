#include "runtime/image/temp_owner.h"

#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <random>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/process/proc_stat.h"

namespace podagent {
namespace {

uint64_t OwnStartTime() {
  static const uint64_t start = [] {
    auto st = ReadProcStat(::getpid());
    return st.ok() ? st->start_time : 0;
  }();
  return start;
}

}  // namespace

std::string OwnedTempName(absl::string_view prefix) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return absl::StrCat(prefix, ::getpid(), ".", OwnStartTime(), "-", rng() % 1000000007);
}

bool TempOwnerGone(absl::string_view name, absl::string_view prefix) {
  if (!absl::ConsumePrefix(&name, prefix)) return false;
  std::vector<absl::string_view> owner = absl::StrSplit(name.substr(0, name.find('-')), '.');
  int pid = 0;
  uint64_t start = 0;
  if (owner.size() != 2 || !absl::SimpleAtoi(owner[0], &pid) || pid <= 0 || !absl::SimpleAtoi(owner[1], &start)) {
    return true;
  }
  auto st = ReadProcStat(pid);
  if (!st.ok()) return absl::IsNotFound(st.status());  // unreadable for another reason: keep it
  return st->state == 'Z' || st->state == 'X' || st->start_time != start;
}

}  // namespace podagent
