#pragma once
// NetworkPlugin: pod networking as agent/sandbox sees it (a seam for fakes). CniExecutor
// implements it by running CNI plugins.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"

namespace podagent {

struct PortMapping {
  int host_port = 0;
  int container_port = 0;
  std::string protocol = "tcp";  // tcp, udp, sctp
  std::string host_ip;
};

struct NetworkPod {
  std::string id;     // sandbox id: CNI_CONTAINERID
  std::string netns;  // pinned netns path; may be gone for Teardown
  std::string name, namespace_, uid;
  std::vector<PortMapping> port_mappings;
};

struct NetworkResult {
  std::vector<std::string> ips;  // primary first
  nlohmann::json raw;            // the final plugin's result
};

class NetworkPlugin {
 public:
  virtual ~NetworkPlugin() = default;
  // OK when a usable network config exists; otherwise why not (for NetworkReady=false).
  virtual absl::Status Ready() const = 0;
  // ADD through the list; on failure what was added is deleted again.
  virtual absl::StatusOr<NetworkResult> Setup(const NetworkPod& pod) = 0;
  // DEL through the list in reverse, with the cached ADD result; idempotent, works after the
  // netns or pause is gone.
  virtual absl::Status Teardown(const NetworkPod& pod) = 0;
  // CHECK (CNI 0.4.0+) with the cached result; OK when the version has no CHECK.
  virtual absl::Status Check(const NetworkPod& pod) = 0;
};

}  // namespace podagent
