#include "tests/lib/cgroup_driver_e2e.h"

#include <cstdlib>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "runtime/cgroups/systemd_names.h"
#include "tests/lib/shell.h"

namespace podagent::testing {
namespace {

constexpr char kSystemctl[] = "/usr/bin/systemctl";

// The unit names `systemctl list-units --all` gives for `pattern`; a failed listing ("<exit N:
// ...>", Sh's error) goes to `error`, so that it never reads as "no unit left".
std::vector<std::string> UnitNames(const std::string& pattern, std::string* error) {
  std::vector<std::string> names;
  std::string listed = ListedUnits(pattern);
  if (absl::StartsWith(listed, "<")) {
    *error += "systemctl list-units " + pattern + ": " + listed + "\n";
    return names;
  }
  for (absl::string_view line : absl::StrSplit(listed, '\n', absl::SkipWhitespace())) {
    std::vector<std::string> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (!fields.empty()) names.push_back(fields[0]);
  }
  return names;
}

}  // namespace

bool SystemdDriverUnderTest() {
  const char* v = std::getenv("PODAGENT_TEST_CGROUP_DRIVER");
  return v != nullptr && std::string(v) == "systemd";
}

std::string ListedUnits(const std::string& pattern) {
  return Sh({kSystemctl, "list-units", "--all", "--plain", "--no-legend", "--no-pager", pattern});
}

std::string PodagentUnitsUnder(const std::string& cgroup_path) {
  std::string slice = systemd::UnitOfPath(cgroup_path);
  std::string stem = slice.substr(0, slice.size() - std::string(".slice").size());
  std::string left;
  for (const std::string& pattern : {stem + "-*", std::string("podagent-*.scope")}) {
    for (const std::string& unit : UnitNames(pattern, &left)) {
      std::string cgroup = Sh({kSystemctl, "show", "-p", "ControlGroup", "--value", unit});
      if (cgroup == cgroup_path || absl::StartsWith(cgroup, cgroup_path + "/") || absl::StartsWith(unit, stem + "-")) {
        left += unit + " (" + cgroup + ")\n";
      }
    }
  }
  return left;
}

}  // namespace podagent::testing
