#pragma once
// The files a pod's containers mount: resolv.conf, hosts and hostname, written under
// RUN_DIR/pods/<id>/.

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace podagent {

struct DnsSpec {
  std::vector<std::string> servers, searches, options;
  bool given = false;  // false: the host's resolv.conf is used
};

struct PodFilesSpec {
  std::string dir;               // RUN_DIR/pods/<id>
  std::string hostname;
  bool host_network = false;     // hosts: the node's /etc/hosts
  DnsSpec dns;
  std::string host_resolv_conf = "/etc/resolv.conf";
  std::string host_hosts = "/etc/hosts";
};

struct PodFiles {
  std::string resolv_conf, hosts, hostname;
};

// resolv.conf text from a CRI DNSConfig (search, nameserver, options lines).
std::string ResolvConfContent(const DnsSpec& dns);
// hosts for a pod with its own network: the localhost entries (kubelet manages the pod's own
// /etc/hosts entries itself).
std::string PodHostsContent();

absl::StatusOr<PodFiles> WritePodFiles(const PodFilesSpec& spec);

}  // namespace podagent
