#pragma once
// The CNI result cache: per pod, the config list ADD ran with, its final result (null while the
// ADD is pending) and the port mappings, so DEL and CHECK run with what ADD used.
//
// Durability: written atomically against a crash of podagent (temp file, rename) but without
// fsync. Only a crash of the machine can lose an unsynced file, and that also destroys everything
// ADD made except what plugins keep on disk (host-local's reservations, which it writes without
// fsync itself); DEL with the current config releases those by container id. So a missing or
// empty cache (possible after a power loss) is read as "no cache" by CniExecutor::Teardown, and
// the request path saves two file and two directory fsyncs per RunPodSandbox.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "runtime/cni/cni_config.h"
#include "runtime/cni/network_plugin.h"

namespace podagent {

struct CniCacheEntry {
  NetworkConfigList config;
  nlohmann::json result;  // null while pending
  std::vector<PortMapping> ports;
};

// Port mappings as CNI's runtimeConfig.portMappings (also their form in the cache).
nlohmann::json PortMappingsJson(const std::vector<PortMapping>& ports);

// NotFound when absent; DataLoss when unreadable (torn, empty, not the cache's JSON).
absl::StatusOr<CniCacheEntry> ReadCniCache(const std::string& path);
// Replaces `path` (mode 0600) with the entry for `pod`; `result` null marks a pending ADD.
absl::Status WriteCniCache(const std::string& path, const NetworkPod& pod, const NetworkConfigList& config,
                           const nlohmann::json& result);

}  // namespace podagent
