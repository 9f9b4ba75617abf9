// `podagent why CONTAINER [--json]`: why a container is in its state, from the daemon's
// ContainerStatus (verbose) and the container's CRI log file.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "agent/cli/cli.h"
#include "agent/cli/diag_client.h"
#include "agent/cli/why_report.h"

namespace podagent {
namespace {

constexpr char kUsage[] = "usage: podagent why CONTAINER [--json]   CONTAINER: id or unique id prefix\n";
constexpr size_t kLogLines = 10;
constexpr std::streamoff kLogTailBytes = 64 << 10;

// The last kLogLines lines of the log, read from at most its last kLogTailBytes.
void ReadLogTail(const std::string& path, WhyReport& r) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    r.log_error = std::strerror(errno);
    return;
  }
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  std::streamoff from = size > kLogTailBytes ? size - kLogTailBytes : 0;
  in.seekg(from);
  std::string text(static_cast<size_t>(size - from), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (from > 0) text.erase(0, text.find('\n') + 1);  // a partial first line
  r.log_tail = LastLines(text, kLogLines);
}

}  // namespace

int WhyCliMain(const Config& config, const std::vector<std::string>& args) {
  std::optional<DiagArgs> parsed = ParseDiagArgs(args, kUsage);
  if (!parsed) return 2;
  auto fail = [](const absl::Status& st) {
    std::fprintf(stderr, "podagent why: %s\n", OneLine(std::string(st.message())).c_str());
    return 1;
  };
  DiagClient client(config.socket);
  if (auto st = client.Connect(); !st.ok()) return fail(st);
  auto c = client.ResolveContainer(parsed->target);
  if (!c.ok()) return fail(c.status());
  auto cs = client.GetContainerStatus(c->id());
  if (!cs.ok()) return fail(cs.status());
  WhyReport r;
  r.status = cs->status;
  r.pod = c->pod_sandbox_id();
  if (auto ps = client.GetPodStatus(c->pod_sandbox_id()); ps.ok()) {
    const auto& m = ps->status.metadata();
    r.pod = absl::StrCat(m.namespace_(), "/", m.name(), " (", c->pod_sandbox_id(), ")");
  }
  r.memory = cs->info.contains("memory") ? cs->info["memory"] : nlohmann::json(nullptr);
  if (!r.status.log_path().empty()) ReadLogTail(r.status.log_path(), r);
  std::string out = parsed->json ? WhyJson(r).dump(2) + "\n" : WhyText(r);
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace podagent
