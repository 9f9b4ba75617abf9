#include "tests/lib/net_cleanup.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runtime/common/files.h"
#include "tests/lib/shell.h"

namespace podagent::testing {

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

// iptables -S words: whitespace-separated, double quotes group ("CNI portfwd ..."), and inside
// them \" is a quote of the word (bridge's comments: "name: \"net\" id: \"...\"").
std::vector<std::string> Words(absl::string_view line) {
  std::vector<std::string> words;
  std::string cur;
  bool quoted = false, any = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted && c == '\\' && i + 1 < line.size() && line[i + 1] == '"') {
      cur += '"';
      ++i;
    } else if (c == '"') {
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

// Other tests may run CNI at the same time: a new chain is only dropped when it is ours (a rule
// jumping to it names our network) or, for portmap's shared CNI-HOSTPORT-* chains, when no
// per-container portmap chain (CNI-DN-*) of anybody is left.
// Returns the chains it meant to drop that are still there.
std::vector<std::string> DropNewChains(const std::string& table, const std::set<std::string>& before,
                                       const std::string& network) {
  std::set<std::string> now = HostNetSnapshot::Chains(table);
  bool portmap_in_use = false;
  for (const std::string& c : now) portmap_in_use |= absl::StartsWith(c, "CNI-DN-");
  std::string rules = Sh({"/usr/sbin/iptables", "-t", table, "-S"});
  std::vector<std::string> added;
  for (const std::string& c : now) {
    if (before.count(c)) continue;
    bool ours = false;
    if (absl::StartsWith(c, "CNI-HOSTPORT-")) {
      ours = !portmap_in_use;
    } else {
      for (absl::string_view line : absl::StrSplit(rules, '\n')) {
        if (absl::StrContains(line, " -j " + c) && absl::StrContains(line, "\\\"" + network + "\\\"")) ours = true;
      }
    }
    if (ours) added.push_back(c);
  }
  if (added.empty()) return {};
  // Rules anywhere that jump to a dropped chain go first.
  for (absl::string_view line : absl::StrSplit(rules, '\n')) {
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
  std::set<std::string> after = HostNetSnapshot::Chains(table);
  std::vector<std::string> left;
  for (const std::string& c : added) {
    if (after.count(c)) left.push_back(absl::StrCat(table, "/", c));
  }
  return left;
}

}  // namespace

std::vector<std::string> HostNetSnapshot::Restore(const std::string& bridge, const std::string& network) const {
  std::vector<std::string> left = DropNewChains("nat", nat_, network);
  for (std::string& c : DropNewChains("filter", filter_, network)) left.push_back(std::move(c));
  if (!bridge.empty()) Sh({"/usr/sbin/ip", "link", "del", bridge});
  // ip_forward: only back to 0 when no other CNI bridge is up (another test may need it).
  bool other_bridges = Sh({"/usr/sbin/ip", "-o", "link", "show", "type", "bridge"}).find(':') != std::string::npos;
  if (!ip_forward_.empty() && !other_bridges) (void)WriteFile("/proc/sys/net/ipv4/ip_forward", ip_forward_);
  return left;
}

}  // namespace podagent::testing
