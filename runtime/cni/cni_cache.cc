#include "runtime/cni/cni_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "runtime/common/unique_fd.h"

namespace podagent {
namespace {

// Temp file beside `path`, then rename over it: readers see the old file or the new one. No
// fsync: see the header.
absl::Status ReplaceFile(const std::string& path, const std::string& content) {
  std::string tmp = absl::StrCat(path, ".tmp-", NewId().substr(0, 12));
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return ErrnoError(absl::StrCat("create ", tmp));
  absl::Status st;
  for (size_t done = 0; st.ok() && done < content.size();) {
    ssize_t n = ::write(fd.Get(), content.data() + done, content.size() - done);
    if (n < 0 && errno != EINTR) st = ErrnoError(absl::StrCat("write ", tmp));
    if (n > 0) done += static_cast<size_t>(n);
  }
  fd.Reset();
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) st = ErrnoError(absl::StrCat("rename ", tmp));
  if (!st.ok()) ::unlink(tmp.c_str());
  return st;
}

}  // namespace

nlohmann::json PortMappingsJson(const std::vector<PortMapping>& ports) {
  nlohmann::json out = nlohmann::json::array();
  for (const PortMapping& p : ports) {
    nlohmann::json m = {{"hostPort", p.host_port}, {"containerPort", p.container_port}, {"protocol", p.protocol}};
    if (!p.host_ip.empty()) m["hostIP"] = p.host_ip;
    out.push_back(m);
  }
  return out;
}

absl::StatusOr<CniCacheEntry> ReadCniCache(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("config")) {
    return absl::DataLossError(absl::StrCat("cni cache ", path, ": corrupt"));
  }
  CniCacheEntry e;
  auto config = ParseNetworkConfig(j["config"].dump(), true, path);
  if (!config.ok()) return absl::DataLossError(config.status().message());
  e.config = std::move(*config);
  e.result = j.value("result", nlohmann::json());
  for (const auto& p : j.value("portMappings", nlohmann::json::array())) {
    e.ports.push_back({p.value("hostPort", 0), p.value("containerPort", 0), p.value("protocol", std::string("tcp")),
                       p.value("hostIP", std::string())});
  }
  return e;
}

absl::Status WriteCniCache(const std::string& path, const NetworkPod& pod, const NetworkConfigList& config,
                           const nlohmann::json& result) {
  nlohmann::json j = {{"version", 1},       {"containerId", pod.id},
                      {"netns", pod.netns}, {"config", config.ToJson()},
                      {"result", result},   {"portMappings", PortMappingsJson(pod.port_mappings)}};
  return ReplaceFile(path, j.dump(2));
}

}  // namespace podagent
