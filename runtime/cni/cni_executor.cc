#include "runtime/cni/cni_executor.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/cni/cni_cache.h"
#include "runtime/cni/cni_result.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/process/run_command.h"
#include "spdlog/spdlog.h"

namespace podagent {
namespace {

constexpr char kPath[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr size_t kMaxPluginOutput = 1 << 20;

bool WantsPortMappings(const nlohmann::json& plugin) {
  return plugin.contains("capabilities") && plugin["capabilities"].is_object() &&
         plugin["capabilities"].value("portMappings", false);
}

}  // namespace

std::string CniExecutor::CniArgs(const NetworkPod& pod) {
  return absl::StrCat("IgnoreUnknown=1;K8S_POD_NAMESPACE=", pod.namespace_, ";K8S_POD_NAME=", pod.name,
                      ";K8S_POD_INFRA_CONTAINER_ID=", pod.id, ";K8S_POD_UID=", pod.uid);
}

nlohmann::json CniExecutor::PluginStdin(const NetworkConfigList& list, const nlohmann::json& plugin,
                                        const nlohmann::json& prev_result, const std::vector<PortMapping>& ports) {
  nlohmann::json in = plugin;
  in["name"] = list.name;
  in["cniVersion"] = list.cni_version;
  if (!prev_result.is_null()) in["prevResult"] = prev_result;
  if (WantsPortMappings(plugin) && !ports.empty()) in["runtimeConfig"]["portMappings"] = PortMappingsJson(ports);
  return in;
}

absl::StatusOr<std::string> CniExecutor::FindPlugin(const std::string& type) const {
  for (const std::string& dir : options_.bin_dirs) {
    std::string path = absl::StrCat(dir, "/", type);
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return absl::FailedPreconditionError(
      absl::StrCat("cni plugin \"", type, "\" not found in ", absl::StrJoin(options_.bin_dirs, ":")));
}

absl::StatusOr<nlohmann::json> CniExecutor::Exec(const std::string& command, const NetworkConfigList& list,
                                                 const nlohmann::json& plugin, const nlohmann::json& prev_result,
                                                 const NetworkPod& pod) const {
  std::string type = plugin["type"];
  std::string what = absl::StrCat(type, " ", command, " for pod ", pod.id);
  ASSIGN_OR_RETURN(std::string path, FindPlugin(type));
  CommandOptions cmd;
  cmd.argv = {path};
  std::string netns = pod.netns;
  if (command == "DEL" && !netns.empty() && !PathExists(netns)) netns.clear();  // gone: plugins cope
  cmd.env = {"CNI_COMMAND=" + command,
             "CNI_CONTAINERID=" + pod.id,
             "CNI_NETNS=" + netns,
             "CNI_IFNAME=" + options_.ifname,
             "CNI_ARGS=" + CniArgs(pod),
             "CNI_PATH=" + absl::StrJoin(options_.bin_dirs, ":"),
             kPath};
  cmd.stdin_data = PluginStdin(list, plugin, prev_result, pod.port_mappings).dump();
  cmd.timeout = options_.plugin_timeout;
  cmd.max_output = kMaxPluginOutput;
  auto run = RunCommand(cmd);
  if (!run.ok()) return Annotate(run.status(), "cni plugin " + what);
  const CommandResult& r = *run;
  if (r.exit_code != 0) return PluginError(what, r.exit_code, r.out, r.err);
  if (command != "ADD") return nlohmann::json();
  nlohmann::json result = nlohmann::json::parse(r.out, nullptr, false);
  if (result.is_discarded() || !result.is_object()) {
    return absl::InternalError(absl::StrCat("cni plugin ", what, ": result is not a JSON object"));
  }
  return result;
}

absl::Status CniExecutor::Ready() const {
  ASSIGN_OR_RETURN(NetworkConfigList list, LoadNetworkConfig(options_.conf_dir));
  for (const nlohmann::json& plugin : list.plugins) {
    RETURN_IF_ERROR(FindPlugin(plugin["type"]).status());
  }
  return absl::OkStatus();
}

absl::StatusOr<NetworkResult> CniExecutor::Setup(const NetworkPod& pod) {
  ASSIGN_OR_RETURN(NetworkConfigList list, LoadNetworkConfig(options_.conf_dir));
  RETURN_IF_ERROR(MakeDirs(options_.cache_dir, 0700));
  RETURN_IF_ERROR(WriteCniCache(CachePath(pod.id), pod, list, nullptr));  // pending: DEL knows the config
  nlohmann::json prev;
  for (const nlohmann::json& plugin : list.plugins) {
    auto result = Exec("ADD", list, plugin, prev, pod);
    if (!result.ok()) {
      absl::Status del = DelAll(list, prev, pod);
      if (del.ok()) {
        (void)RemoveTree(CachePath(pod.id));
      } else {
        spdlog::warn("pod {}: cni cleanup after failed ADD: {}", pod.id, del.message());
      }
      return result.status();
    }
    prev = std::move(*result);
  }
  RETURN_IF_ERROR(WriteCniCache(CachePath(pod.id), pod, list, prev));
  return NetworkResult{ResultIps(prev), prev};
}

absl::Status CniExecutor::DelAll(const NetworkConfigList& list, const nlohmann::json& prev_result,
                                 const NetworkPod& pod) const {
  for (auto it = list.plugins.rbegin(); it != list.plugins.rend(); ++it) {
    RETURN_IF_ERROR(Exec("DEL", list, *it, prev_result, pod).status());
  }
  return absl::OkStatus();
}

absl::Status CniExecutor::Teardown(const NetworkPod& pod) {
  std::string cache = CachePath(pod.id);
  auto entry = ReadCniCache(cache);
  NetworkConfigList list;
  nlohmann::json prev;
  NetworkPod del_pod = pod;
  if (entry.ok()) {
    list = std::move(entry->config);
    prev = std::move(entry->result);
    if (del_pod.port_mappings.empty()) del_pod.port_mappings = entry->ports;
  } else if (absl::IsNotFound(entry.status()) || absl::IsDataLoss(entry.status())) {
    // Never set up by us, already torn down, or a cache lost to a machine crash (cni_cache.h):
    // DEL with the current config is still right and harmless; without any config there is
    // nothing to undo.
    if (!absl::IsNotFound(entry.status())) spdlog::warn("pod {}: {}; DEL with the current config", pod.id, entry.status().message());
    auto current = LoadNetworkConfig(options_.conf_dir);
    if (!current.ok()) return absl::OkStatus();
    list = std::move(*current);
  } else {
    return entry.status();
  }
  RETURN_IF_ERROR(DelAll(list, prev, del_pod));
  return RemoveTree(cache);
}

absl::Status CniExecutor::Check(const NetworkPod& pod) {
  ASSIGN_OR_RETURN(CniCacheEntry entry, ReadCniCache(CachePath(pod.id)));
  if (!CniVersionAtLeast(entry.config.cni_version, 0, 4)) return absl::OkStatus();
  if (entry.result.is_null()) {
    return absl::FailedPreconditionError(absl::StrCat("cni check for pod ", pod.id, ": network setup never finished"));
  }
  NetworkPod check_pod = pod;
  if (check_pod.port_mappings.empty()) check_pod.port_mappings = entry.ports;
  for (const nlohmann::json& plugin : entry.config.plugins) {
    RETURN_IF_ERROR(Exec("CHECK", entry.config, plugin, entry.result, check_pod).status());
  }
  return absl::OkStatus();
}

}  // namespace podagent
