#include "agent/sandbox/pod_config.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/cgroups/cgroup_files.h"
#include "runtime/cgroups/systemd_names.h"
#include "runtime/common/errors.h"
#include "runtime/sandbox/sysctls.h"

namespace podagent {
namespace {

constexpr size_t kMaxMetadataField = 253;
constexpr size_t kMaxHostname = 64;
constexpr size_t kMaxPath = 4096;
constexpr size_t kMaxLabelsAndAnnotations = 256 * 1024;
constexpr size_t kMaxDnsEntries = 32;
constexpr size_t kMaxDnsEntry = 255;
constexpr int kMaxPortMappings = 1024;

absl::Status Invalid(const std::string& what) { return absl::InvalidArgumentError(what); }

absl::Status CheckMetadata(const cri::PodSandboxConfig& c) {
  if (!c.has_metadata()) return Invalid("pod sandbox config has no metadata");
  const auto& m = c.metadata();
  for (const auto& [field, value] : {std::pair<const char*, const std::string*>{"name", &m.name()},
                                     {"namespace", &m.namespace_()},
                                     {"uid", &m.uid()}}) {
    if (value->empty()) return Invalid(absl::StrCat("pod sandbox metadata.", field, " is empty"));
    if (value->size() > kMaxMetadataField) {
      return Invalid(absl::StrCat("pod sandbox metadata.", field, " is longer than ", kMaxMetadataField, " bytes"));
    }
    if (value->find_first_of(std::string("\0/\n", 3)) != std::string::npos) {
      return Invalid(absl::StrCat("pod sandbox metadata.", field, " holds '/', a newline or NUL"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckHostname(const std::string& h) {
  if (h.size() > kMaxHostname) return Invalid(absl::StrCat("hostname is longer than ", kMaxHostname, " bytes"));
  for (char c : h) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') {
      return Invalid(absl::StrCat("hostname \"", h, "\" holds characters other than letters, digits, '-', '.', '_'"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckMaps(const cri::PodSandboxConfig& c) {
  size_t total = 0;
  for (const auto& [k, v] : c.labels()) total += k.size() + v.size();
  for (const auto& [k, v] : c.annotations()) total += k.size() + v.size();
  if (total > kMaxLabelsAndAnnotations) {
    return Invalid(absl::StrCat("labels and annotations take ", total, " bytes, more than ", kMaxLabelsAndAnnotations));
  }
  return absl::OkStatus();
}

absl::StatusOr<DnsSpec> ConvertDns(const cri::PodSandboxConfig& c) {
  DnsSpec dns;
  if (!c.has_dns_config()) return dns;
  const auto& d = c.dns_config();
  dns.given = true;
  dns.servers.assign(d.servers().begin(), d.servers().end());
  dns.searches.assign(d.searches().begin(), d.searches().end());
  dns.options.assign(d.options().begin(), d.options().end());
  for (const auto* list : {&dns.servers, &dns.searches, &dns.options}) {
    if (list->size() > kMaxDnsEntries) return Invalid(absl::StrCat("dns config has more than ", kMaxDnsEntries, " entries in a list"));
    for (const std::string& e : *list) {
      if (e.empty() || e.size() > kMaxDnsEntry || e.find_first_of(" \t\n\r#;") != std::string::npos) {
        return Invalid(absl::StrCat("dns config entry \"", e, "\" is empty, too long or holds whitespace/#/;"));
      }
    }
  }
  return dns;
}

absl::StatusOr<std::vector<PortMapping>> ConvertPorts(const cri::PodSandboxConfig& c) {
  if (c.port_mappings_size() > kMaxPortMappings) return Invalid("too many port mappings");
  std::vector<PortMapping> out;
  for (const auto& p : c.port_mappings()) {
    if (p.container_port() <= 0 || p.container_port() > 65535 || p.host_port() < 0 || p.host_port() > 65535) {
      return Invalid(absl::StrCat("port mapping ", p.host_port(), ":", p.container_port(), " is out of range"));
    }
    if (p.host_ip().size() > 64 || p.host_ip().find_first_not_of("0123456789abcdefABCDEF.:") != std::string::npos) {
      return Invalid(absl::StrCat("port mapping host_ip \"", p.host_ip(), "\" is not an IP address"));
    }
    std::string proto;
    switch (p.protocol()) {
      case cri::TCP:
        proto = "tcp";
        break;
      case cri::UDP:
        proto = "udp";
        break;
      case cri::SCTP:
        proto = "sctp";
        break;
      default:
        return Invalid(absl::StrCat("port mapping protocol ", static_cast<int>(p.protocol()), " is unknown"));
    }
    if (p.host_port() == 0) continue;  // nothing to map on the host (kubelet sends these for hostPort-less ports)
    out.push_back({p.host_port(), p.container_port(), proto, p.host_ip()});
  }
  return out;
}

absl::Status CheckMode(int mode, const char* which) {
  if (mode < 0 || mode > static_cast<int>(NsMode::kTarget)) {
    return Invalid(absl::StrCat("namespace mode ", mode, " for ", which, " is unknown"));
  }
  if (mode == static_cast<int>(NsMode::kTarget)) {
    return Invalid(absl::StrCat("namespace mode TARGET is not valid for a pod's ", which, " namespace"));
  }
  return absl::OkStatus();
}

// kubelet sends what its own --cgroup-driver makes: a path for cgroupfs, a slice name for systemd.
absl::Status CheckCgroupParent(const std::string& parent, const std::string& driver) {
  if (driver == "systemd") {
    if (absl::Status st = systemd::ValidateSliceName(parent); !st.ok()) {
      return Invalid(absl::StrCat("cgroup_parent \"", parent.substr(0, 300),
                                  "\": cgroup_driver is systemd, which takes a slice name like "
                                  "kubepods-burstable-pod<uid>.slice (is kubelet's --cgroup-driver systemd?): ",
                                  st.message()));
    }
    return absl::OkStatus();
  }
  if (absl::Status st = cgroupfs::ValidatePath(parent); !st.ok()) {
    return Invalid(absl::StrCat("cgroup_parent \"", parent, "\": only cgroupfs paths are supported: ", st.message()));
  }
  return absl::OkStatus();
}

}  // namespace

std::optional<int64_t> RequestedOomScoreAdj(const cri::PodSandboxConfig& config) {
  if (config.has_linux() && config.linux().has_resources() && config.linux().resources().oom_score_adj() != 0) {
    return config.linux().resources().oom_score_adj();
  }
  return std::nullopt;
}

absl::StatusOr<PodRecord> PodRecordFromConfig(const cri::PodSandboxConfig& c, const std::string& handler,
                                              const Config& cfg) {
  if (std::find(cfg.runtime_handlers.begin(), cfg.runtime_handlers.end(), handler) == cfg.runtime_handlers.end()) {
    return Invalid(absl::StrCat("runtime handler \"", handler, "\" is not configured (runtime_handlers: ",
                                absl::StrJoin(cfg.runtime_handlers, ", "), ")"));
  }
  RETURN_IF_ERROR(CheckMetadata(c));
  RETURN_IF_ERROR(CheckHostname(c.hostname()));
  RETURN_IF_ERROR(CheckMaps(c));
  if (c.log_directory().size() > kMaxPath || (!c.log_directory().empty() && c.log_directory()[0] != '/')) {
    return Invalid(absl::StrCat("log_directory \"", c.log_directory().substr(0, 128), "\" is not an absolute path"));
  }
  PodRecord r;
  r.name = c.metadata().name();
  r.namespace_ = c.metadata().namespace_();
  r.uid = c.metadata().uid();
  r.attempt = c.metadata().attempt();
  r.hostname = c.hostname();
  r.log_directory = c.log_directory();
  r.runtime_handler = handler;
  r.labels.insert(c.labels().begin(), c.labels().end());
  r.annotations.insert(c.annotations().begin(), c.annotations().end());
  ASSIGN_OR_RETURN(r.dns, ConvertDns(c));
  ASSIGN_OR_RETURN(r.port_mappings, ConvertPorts(c));

  const auto& linux = c.linux();
  const auto& ns = linux.security_context().namespace_options();
  RETURN_IF_ERROR(CheckMode(ns.network(), "network"));
  RETURN_IF_ERROR(CheckMode(ns.ipc(), "ipc"));
  RETURN_IF_ERROR(CheckMode(ns.pid(), "pid"));
  r.net_mode = static_cast<NsMode>(ns.network());
  r.ipc_mode = static_cast<NsMode>(ns.ipc());
  r.pid_mode = static_cast<NsMode>(ns.pid());
  r.target_id = ns.target_id();

  r.sysctls.insert(linux.sysctls().begin(), linux.sysctls().end());
  RETURN_IF_ERROR(ValidatePodSysctls(r.sysctls, r.HostNetwork(), r.HostIpc()).status());

  r.cgroup_parent = linux.cgroup_parent().empty() ? cfg.cgroup_parent : linux.cgroup_parent();
  if (r.cgroup_parent.size() > kMaxPath) return Invalid("cgroup_parent is too long");
  RETURN_IF_ERROR(CheckCgroupParent(r.cgroup_parent, cfg.cgroup_driver));
  return r;
}

}  // namespace podagent
