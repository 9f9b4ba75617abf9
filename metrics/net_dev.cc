#include "metrics/net_dev.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "metrics/stat_files.h"

namespace podagent {
namespace {

// Columns after "name:": rx bytes packets errs drop fifo frame compressed multicast, then tx
// bytes packets errs drop fifo colls carrier compressed.
constexpr size_t kColumns = 16;

}  // namespace

std::vector<InterfaceStats> ParseNetDev(absl::string_view text) {
  std::vector<InterfaceStats> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;  // header lines have '|' but no ':'
    absl::string_view name = absl::StripAsciiWhitespace(line.substr(0, colon));
    std::vector<absl::string_view> fields =
        absl::StrSplit(line.substr(colon + 1), ' ', absl::SkipWhitespace());
    if (name.empty() || name == "lo" || fields.size() < kColumns) continue;
    uint64_t v[kColumns] = {};
    bool ok = true;
    for (size_t i = 0; i < kColumns; ++i) ok = ok && absl::SimpleAtoi(fields[i], &v[i]);
    if (!ok) continue;
    InterfaceStats s;
    s.name = std::string(name);
    s.rx_bytes = v[0], s.rx_packets = v[1], s.rx_errors = v[2], s.rx_dropped = v[3];
    s.tx_bytes = v[8], s.tx_packets = v[9], s.tx_errors = v[10], s.tx_dropped = v[11];
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<InterfaceStats> ReadNetDev(pid_t pid, const std::string& proc_root) {
  if (pid <= 0) return {};
  std::optional<std::string> text = ReadOptionalFile(absl::StrCat(proc_root, "/", pid, "/net/dev"));
  if (!text) return {};
  return ParseNetDev(*text);
}

}  // namespace podagent
