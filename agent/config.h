#pragma once
// podagent's configuration: built-in defaults, then the YAML file, then command-line flags.
// Every key is documented with its default in deploy/podagent.yaml.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"

namespace podagent {

struct CniConfig {
  std::string conf_dir = "/etc/cni/net.d";
  std::vector<std::string> bin_dirs = {"/opt/cni/bin", "/usr/lib/cni"};
  std::string cache_dir;  // default: <root_dir>/cni
};

struct RegistryConfig {
  std::map<std::string, std::vector<std::string>> mirrors;  // registry host -> endpoint URLs
  std::vector<std::string> insecure;                          // hosts reached over plain HTTP
  int64_t timeout_seconds = 60;                               // per request, without progress
  int64_t retries = 3;
  int64_t pull_deadline_seconds = 1800;                       // a whole pull, all layers included
};

// Limits on what an image may bring (images are untrusted input).
struct ImagesConfig {
  int64_t max_layer_bytes = int64_t{64} << 30;  // uncompressed bytes per layer
  int64_t max_layer_entries = 2000000;         // tar entries per layer
  bool keep_setid_bits = true;                 // false: set-user/group-ID bits of files are dropped
};

// The exec/attach/port-forward streaming server (agent/streaming).
struct StreamingConfig {
  std::string listen = "127.0.0.1:0";          // HOST:PORT, port 0 = any free port
  int64_t max_sessions = 64;                   // concurrent connections; more get 503
  int64_t token_ttl_seconds = 60;              // an unused Exec/Attach/PortForward URL expires
  int64_t buffer_bytes = 256 * 1024;           // buffered per direction of a session
  int64_t idle_timeout_seconds = 4 * 60 * 60;  // no traffic either way: the session is closed
};

inline constexpr char kDefaultCgroupfsParent[] = "/podagent";
inline constexpr char kDefaultSystemdParent[] = "podagent.slice";

struct Config {
  std::string config_file;  // where it was read from ("" when built-in defaults only)
  std::string socket = "/run/podagent/podagent.sock";
  std::string root_dir = "/var/lib/podagent";
  std::string run_dir = "/run/podagent";
  std::string log_level = "info";    // trace, debug, info, warn, error
  std::string log_format = "text";   // text, json
  std::string metrics_listen = "127.0.0.1:9470";  // "" disables the metrics endpoint
  // Seconds between two reads of every pod's cgroups for the endpoint's cAdvisor families, which
  // scrapes serve with each value's read time (as cAdvisor's housekeeping); 0: read at every scrape.
  // Also how long ImageFsInfo reuses its disk usage walk (ImageManager::FsUsage).
  int64_t metrics_housekeeping_seconds = 10;
  // cgroupfs (plain cgroup paths) or systemd (pods and containers as systemd units, over D-Bus).
  std::string cgroup_driver = "cgroupfs";
  // Pod cgroups when the CRI gives none: a path (cgroupfs) or a slice name (systemd). A file that
  // sets cgroup_driver: systemd and no cgroup_parent gets kDefaultSystemdParent.
  std::string cgroup_parent = kDefaultCgroupfsParent;
  bool cgroup_v1_namespace = false;  // v1: a private cgroup namespace per container (v2 always has one)
  std::string pause_binary;          // default: podagent-pause beside the podagent binary
  std::string shim_binary;           // default: podagent-shim beside the podagent binary
  std::vector<std::string> runtime_handlers = {""};  // accepted RuntimeHandler names
  std::string oom_score_adj_policy = "clamp";     // clamp (warn, use the daemon's own) or fail
  int64_t shutdown_grace_seconds = 5;             // in-flight RPCs on SIGTERM
  int64_t exec_sync_output_limit = 16 * 1024 * 1024;  // bytes per stream for ExecSync
  CniConfig cni;
  RegistryConfig registry;
  ImagesConfig images;
  StreamingConfig streaming;

  nlohmann::json ToJson() const;
};

// Reads `path` over the defaults. A missing file at the default path means built-in defaults;
// a missing file given explicitly is an error. Errors read "FILE:LINE: key KEY: what".
absl::StatusOr<Config> LoadConfig(const std::string& path, bool explicit_path);

// Fills defaults that depend on other keys (cni.cache_dir, binaries beside `self_dir`) and checks
// cross-key rules (cgroup_parent fits cgroup_driver).
absl::Status FinishConfig(Config& config, const std::string& self_dir);

}  // namespace podagent
