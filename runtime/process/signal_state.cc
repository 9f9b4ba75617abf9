#include "runtime/process/signal_state.h"

#include <signal.h>

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runtime/common/files.h"

namespace podagent {
namespace {

bool ParseMask(absl::string_view v, uint64_t& out) {
  return absl::SimpleHexAtoi(absl::StripAsciiWhitespace(v), &out);
}

}  // namespace

absl::StatusOr<SignalState> ParseSignalState(absl::string_view status) {
  SignalState s;
  bool cgt = false, ign = false, nspid = false;
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (absl::ConsumePrefix(&line, "SigCgt:")) {
      cgt = ParseMask(line, s.caught);
    } else if (absl::ConsumePrefix(&line, "SigIgn:")) {
      ign = ParseMask(line, s.ignored);
    } else if (absl::ConsumePrefix(&line, "NSpid:")) {
      std::vector<absl::string_view> ids = absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
      nspid = !ids.empty();
      s.namespace_init = nspid && ids.back() == "1";
    }
  }
  if (!cgt || !ign || !nspid) {
    return absl::InvalidArgumentError("process status lacks a SigCgt, SigIgn or NSpid line");
  }
  return s;
}

absl::StatusOr<SignalState> ReadSignalState(pid_t pid) {
  auto text = ReadFile(absl::StrCat("/proc/", pid, "/status"));
  if (!text.ok()) return text.status();
  return ParseSignalState(*text);
}

bool DiscardsSignal(const SignalState& s, int sig) {
  if (sig <= 0 || sig > 64 || sig == SIGKILL || sig == SIGSTOP || !s.namespace_init) return false;
  uint64_t bit = uint64_t{1} << (sig - 1);
  return !(s.caught & bit) && !(s.ignored & bit);
}

}  // namespace podagent
