#include "net_cleanup.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runtime/common/files.h"
#include "runtime/process/run_command.h"

namespace podagent::testing {

std::string Sh(std::vector<std::string> argv) {
  CommandOptions o;
  o.argv = std::move(argv);
  o.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  o.timeout = absl::Seconds(30);
  auto r = RunCommand(o);
  if (!r.ok()) return "<" + std::string(r.status().message()) + ">";
  if (r->exit_code != 0) return absl::StrCat("<exit ", r->exit_code, ": ", r->err, ">");
  return std::string(absl::StripAsciiWhitespace(r->out));
}

std::set<std::string> HostNetSnapshot::Chains(const std::string& table) {
  std::set<std::string> chains;
  for (absl::string_view line : absl::StrSplit(Sh({"/usr/sbin/iptables", "-t", table, "-S"}), '\n')) {
    if (absl::StartsWith(line, "-N ")) chains.insert(std::string(line.substr(3)));
  }
  return chains;
}

HostNetSnapshot::HostNetSnapshot() : nat_(Chains("nat")), filter_(Chains("filter")) {
  auto f = ReadFile("/proc/sys/net/ipv4/ip_forward");
  ip_forward_ = f.ok() ? std::string(absl::StripAsciiWhitespace(*f)) : "";
}

namespace {

// iptables -S words: whitespace-separated, double quotes group ("CNI portfwd ...").
std::vector<std::string> Words(absl::string_view line) {
  std::vector<std::string> words;
  std::string cur;
  bool quoted = false, any = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (c == ' ' && !quoted) {
      if (any) words.push_back(cur);
      cur.clear();
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (any) words.push_back(cur);
  return words;
}

void DropNewChains(const std::string& table, const std::set<std::string>& before) {
  std::set<std::string> now = HostNetSnapshot::Chains(table);
  std::vector<std::string> added;
  for (const std::string& c : now) {
    if (!before.count(c)) added.push_back(c);
  }
  if (added.empty()) return;
  // Rules anywhere that jump to a new chain go first.
  for (absl::string_view line : absl::StrSplit(Sh({"/usr/sbin/iptables", "-t", table, "-S"}), '\n')) {
    if (!absl::StartsWith(line, "-A ")) continue;
    for (const std::string& c : added) {
      if (absl::StrContains(line, " -j " + c)) {
        std::vector<std::string> argv = {"/usr/sbin/iptables", "-t", table, "-D"};
        std::vector<std::string> words = Words(line.substr(3));
        argv.insert(argv.end(), words.begin(), words.end());
        Sh(argv);
        break;
      }
    }
  }
  for (const std::string& c : added) Sh({"/usr/sbin/iptables", "-t", table, "-F", c});
  for (const std::string& c : added) Sh({"/usr/sbin/iptables", "-t", table, "-X", c});
}

}  // namespace

void HostNetSnapshot::Restore(const std::string& bridge) const {
  DropNewChains("nat", nat_);
  DropNewChains("filter", filter_);
  if (!bridge.empty()) Sh({"/usr/sbin/ip", "link", "del", bridge});
  if (!ip_forward_.empty()) (void)WriteFile("/proc/sys/net/ipv4/ip_forward", ip_forward_);
}

}  // namespace podagent::testing
