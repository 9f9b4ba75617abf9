// `podagent why CONTAINER [--json]`: why a container is in its state, from the daemon's
// ContainerStatus (verbose) and the container's CRI log file.
#include "absl/strings/str_cat.h"
#include "agent/hostfs/bounded_read.h"
#include "agent/cli/cli.h"
#include "agent/cli/diag_client.h"
#include "agent/cli/diag_command.h"
#include "agent/cli/why_report.h"

namespace podagent {
namespace {

constexpr char kUsage[] = "usage: podagent why CONTAINER [--json]   CONTAINER: id or unique id prefix\n";
constexpr size_t kLogLines = 10;
constexpr size_t kLogTailBytes = 64 << 10;

// The last kLogLines lines of the log, read from at most its last kLogTailBytes. The path is
// the one ContainerStatus names (kubelet's log directory): a symlink there is not followed.
void ReadLogTail(const std::string& path, WhyReport& r) {
  auto text = ReadFileTail(path, kLogTailBytes);
  if (!text.ok()) {
    r.log_error = std::string(text.status().message());
    return;
  }
  if (text->size() == kLogTailBytes) text->erase(0, text->find('\n') + 1);  // a partial first line
  r.log_tail = LastLines(*text, kLogLines);
}

absl::StatusOr<WhyReport> BuildReport(DiagClient& client, const std::string& query) {
  auto c = client.ResolveContainer(query);
  if (!c.ok()) return c.status();
  auto cs = client.GetContainerStatus(c->id());
  if (!cs.ok()) return cs.status();
  WhyReport r;
  r.status = cs->status;
  r.pod = c->pod_sandbox_id();
  if (auto ps = client.GetPodStatus(c->pod_sandbox_id()); ps.ok()) {
    const auto& m = ps->status.metadata();
    r.pod = absl::StrCat(m.namespace_(), "/", m.name(), " (", c->pod_sandbox_id(), ")");
  }
  r.memory = cs->info.contains("memory") ? cs->info["memory"] : nlohmann::json(nullptr);
  if (!r.status.log_path().empty()) ReadLogTail(r.status.log_path(), r);
  return r;
}

}  // namespace

int WhyCliMain(const Config& config, const std::vector<std::string>& args) {
  return RunDiagCommand(config, args, "why", kUsage,
                        [](DiagClient& client, const DiagArgs& a) -> absl::StatusOr<std::string> {
                          auto r = BuildReport(client, a.target);
                          if (!r.ok()) return r.status();
                          return a.json ? WhyJson(*r).dump(2) + "\n" : WhyText(*r);
                        });
}

}  // namespace podagent
