#include "agent/cli/why_report.h"

#include <csignal>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"

namespace podagent {
namespace {

namespace cri = ::runtime::v1;

std::string StateName(cri::ContainerState s) {
  switch (s) {
    case cri::CONTAINER_CREATED: return "created";
    case cri::CONTAINER_RUNNING: return "running";
    case cri::CONTAINER_EXITED: return "exited";
    default: return "unknown";
  }
}

std::string Time(int64_t ns) {
  if (ns <= 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixNanos(ns), absl::UTCTimeZone());
}

std::string Bytes(const nlohmann::json& v) {
  if (!v.is_number_unsigned()) return "-";
  uint64_t b = v.get<uint64_t>();
  if (b >= (uint64_t{1} << 62)) return "unlimited";
  char mib[32];
  std::snprintf(mib, sizeof mib, "%.1f", static_cast<double>(b) / (1 << 20));
  return absl::StrCat(b, " bytes (", mib, " MiB)");
}

bool Exited(const WhyReport& r) { return r.status.state() == cri::CONTAINER_EXITED; }

}  // namespace

std::string ExitSignalName(int exit_code) {
  if (exit_code <= 128 || exit_code - 128 >= NSIG) return "";
  const char* abbrev = sigabbrev_np(exit_code - 128);
  return abbrev == nullptr ? "" : absl::StrCat("SIG", abbrev);
}

std::vector<std::string> LastLines(const std::string& text, size_t n) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.size() > n) lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(n));
  return lines;
}

std::string WhyText(const WhyReport& r) {
  const auto& s = r.status;
  std::string out;
  auto line = [&](const std::string& k, const std::string& v) { absl::StrAppend(&out, k, std::string(11 - k.size(), ' '), v, "\n"); };
  line("container", absl::StrCat(s.metadata().name(), " (", s.id(), ")"));
  line("pod", r.pod);
  line("state", StateName(s.state()));
  if (Exited(r)) {
    std::string sig = ExitSignalName(s.exit_code());
    line("exit code", sig.empty() ? absl::StrCat(s.exit_code())
                                  : absl::StrCat(s.exit_code(), " (128 + ", s.exit_code() - 128, ": killed by ", sig, ")"));
  }
  if (!s.reason().empty()) line("reason", s.reason());
  if (!s.message().empty()) line("message", s.message());
  if (r.memory.is_object()) {
    std::string m = absl::StrCat("limit ", Bytes(r.memory.value("limitBytes", nlohmann::json())));
    if (r.memory.contains("peakBytes")) absl::StrAppend(&m, ", peak ", Bytes(r.memory["peakBytes"]));
    if (r.memory.contains("oomKills")) absl::StrAppend(&m, ", oom kills ", r.memory["oomKills"].dump());
    absl::StrAppend(&m, " (cgroup v", r.memory.value("cgroupVersion", 0), ")");
    line("memory", m);
  }
  line("attempt", absl::StrCat(s.metadata().attempt()));
  line("created", Time(s.created_at()));
  line("started", Time(s.started_at()));
  line("finished", Time(s.finished_at()));
  if (s.log_path().empty()) {
    line("log", "none (the pod has no log directory)");
  } else if (!r.log_error.empty()) {
    line("log", absl::StrCat(s.log_path(), ": ", r.log_error));
  } else {
    line("log", absl::StrCat(s.log_path(), " (last ", r.log_tail.size(), " lines)"));
    for (const auto& l : r.log_tail) absl::StrAppend(&out, "  ", l, "\n");
  }
  return out;
}

nlohmann::json WhyJson(const WhyReport& r) {
  const auto& s = r.status;
  nlohmann::json j = {{"id", s.id()},
                      {"name", s.metadata().name()},
                      {"pod", r.pod},
                      {"state", StateName(s.state())},
                      {"reason", s.reason()},
                      {"message", s.message()},
                      {"attempt", s.metadata().attempt()},
                      {"createdAt", s.created_at()},
                      {"startedAt", s.started_at()},
                      {"finishedAt", s.finished_at()},
                      {"logPath", s.log_path()},
                      {"logTail", r.log_tail},
                      {"memory", r.memory}};
  if (Exited(r)) {
    j["exitCode"] = s.exit_code();
    std::string sig = ExitSignalName(s.exit_code());
    j["signal"] = sig.empty() ? nlohmann::json(nullptr) : nlohmann::json(sig);
  }
  if (!r.log_error.empty()) j["logError"] = r.log_error;
  return j;
}

}  // namespace podagent
