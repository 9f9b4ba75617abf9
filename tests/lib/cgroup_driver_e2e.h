#pragma once
// The cgroup driver the daemon e2e suites run under. Unset (the host, the bash guest): cgroupfs,
// as always. PODAGENT_TEST_CGROUP_DRIVER=systemd (hack/vm/systemd-ci-guest.sh, PID 1 systemd,
// cgroup v2): DaemonTest gives the daemon `cgroup_driver: systemd` and a slice of the test's own
// as its cgroup parent, and checks that no unit of podagent's is left in that slice.
//   if (SystemdDriverUnderTest()) EXPECT_EQ(PodagentUnitsUnder("/t1.slice"), "");

#include <string>

namespace podagent::testing {

// True when PODAGENT_TEST_CGROUP_DRIVER is "systemd".
bool SystemdDriverUnderTest();
// `systemctl list-units --all` lines for `pattern` ("" when no unit matches).
std::string ListedUnits(const std::string& pattern);
// The units podagent makes (pod slices "<stem>-pod<id>.slice" of the slice at `cgroup_path`,
// scopes "podagent-*.scope") whose cgroup is at or under `cgroup_path` and that systemd still has
// loaded, one "name (cgroup)" per line, or systemctl's error; "" when none.
std::string PodagentUnitsUnder(const std::string& cgroup_path);

}  // namespace podagent::testing
