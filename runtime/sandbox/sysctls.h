#pragma once
// Pod sysctls: only namespaced ones are allowed (they change the pod, not the node):
// net.* (not with the host's network), kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.*
// (not with the host's IPC). Names come dotted ("net.ipv4.ip_forward") or as paths
// ("net/ipv4/conf/eth0.100/forwarding", where a dot is part of a name), as Kubernetes allows.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace podagent {

struct PodSysctl {
  std::string name;   // dotted, as given normalised ("net.ipv4.ip_forward")
  std::string path;   // under /proc/sys: "net/ipv4/ip_forward"
  std::string value;
};

// InvalidArgument naming the sysctl when one is not allowed or malformed; nothing applied.
absl::StatusOr<std::vector<PodSysctl>> ValidatePodSysctls(const std::map<std::string, std::string>& sysctls,
                                                          bool host_network, bool host_ipc);

}  // namespace podagent
