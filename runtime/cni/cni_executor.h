#pragma once
// CniExecutor: runs CNI plugins as the CNI 1.0 spec says. Config: the first file of conf_dir
// (cni_config.h). Plugins are looked up in bin_dirs. Each call gets CNI_COMMAND, CNI_CONTAINERID,
// CNI_NETNS, CNI_IFNAME=eth0, CNI_ARGS (IgnoreUnknown=1;K8S_POD_NAMESPACE=..;K8S_POD_NAME=..;
// K8S_POD_INFRA_CONTAINER_ID=..;K8S_POD_UID=..), CNI_PATH and PATH; stdin is the plugin's config
// with the list's name and cniVersion, prevResult chained from the previous plugin, and
// runtimeConfig.portMappings for plugins with the portMappings capability.
// The ADD result and the config used are cached under cache_dir/<id>.json (written before ADD
// as "pending", so even a crash of podagent mid-ADD is torn down with the right config; not
// fsynced: cni_cache.h says why).

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "runtime/cni/cni_config.h"
#include "runtime/cni/network_plugin.h"

namespace podagent {

struct CniOptions {
  std::string conf_dir = "/etc/cni/net.d";
  std::vector<std::string> bin_dirs = {"/opt/cni/bin", "/usr/lib/cni"};
  std::string cache_dir;
  std::string ifname = "eth0";
  absl::Duration plugin_timeout = absl::Seconds(60);
};

class CniExecutor : public NetworkPlugin {
 public:
  explicit CniExecutor(CniOptions options) : options_(std::move(options)) {}

  absl::Status Ready() const override;
  absl::StatusOr<NetworkResult> Setup(const NetworkPod& pod) override;
  absl::Status Teardown(const NetworkPod& pod) override;
  absl::Status Check(const NetworkPod& pod) override;

  std::string CachePath(const std::string& id) const { return options_.cache_dir + "/" + id + ".json"; }
  // The CNI_ARGS value for a pod.
  static std::string CniArgs(const NetworkPod& pod);
  // The stdin config of `plugin` within `list` for one call.
  static nlohmann::json PluginStdin(const NetworkConfigList& list, const nlohmann::json& plugin,
                                    const nlohmann::json& prev_result, const std::vector<PortMapping>& ports);
  // Runs one plugin of `list` (found in bin_dirs) with the spec's environment and stdin; the
  // parsed stdout for ADD, null otherwise. No cache, no config discovery: Setup and Teardown
  // add those around it; the benchmark calls it alone to time the plugins' own cost.
  absl::StatusOr<nlohmann::json> Exec(const std::string& command, const NetworkConfigList& list,
                                      const nlohmann::json& plugin, const nlohmann::json& prev_result,
                                      const NetworkPod& pod) const;

 private:
  absl::StatusOr<std::string> FindPlugin(const std::string& type) const;
  absl::Status DelAll(const NetworkConfigList& list, const nlohmann::json& prev_result, const NetworkPod& pod) const;

  CniOptions options_;
};

}  // namespace podagent
