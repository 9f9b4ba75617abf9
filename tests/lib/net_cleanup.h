#pragma once
// Test helpers: undo what real CNI plugins leave on the host (the test bridge, iptables chains
// that did not exist before the test, ip_forward) and run host commands.

#include <set>
#include <string>
#include <vector>

#include "tests/lib/shell.h"

namespace podagent::testing {

class HostNetSnapshot {
 public:
  HostNetSnapshot();  // records iptables chains (nat, filter) and ip_forward
  // Deletes `bridge` and the chains created since that belong to CNI network `network` (with the
  // rules jumping to them), portmap's shared chains once nobody uses them, and restores
  // ip_forward when no bridge is left. Safe while other tests run CNI at the same time.
  // Returns the chains ("nat/CNI-...") it found to be ours but could not delete: a test fails on them.
  [[nodiscard]] std::vector<std::string> Restore(const std::string& bridge, const std::string& network) const;
  static std::set<std::string> Chains(const std::string& table);

 private:
  std::set<std::string> nat_, filter_;
  std::string ip_forward_;
};

}  // namespace podagent::testing
