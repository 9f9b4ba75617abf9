#include "agent/config.h"

#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/cgroups/cgroup_files.h"
#include "runtime/cgroups/systemd_names.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"

namespace podagent {
namespace {

// A config error that names where it happened: "FILE:LINE: key KEY: what".
class ConfigError {
 public:
  ConfigError(std::string file, const YAML::Node& node, std::string key, std::string what)
      : message_(absl::StrCat(file, ":", node.Mark().line + 1, ": key ", key, ": ", what)) {}
  absl::Status ToStatus() const { return absl::InvalidArgumentError(message_); }

 private:
  std::string message_;
};

using Setter = std::function<void(const YAML::Node&, const std::string& key)>;

struct Parser {
  std::string file;

  [[noreturn]] void Fail(const YAML::Node& node, const std::string& key, const std::string& what) const {
    throw ConfigError(file, node, key, what);
  }

  std::string String(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) Fail(n, key, "expected a string");
    return n.as<std::string>();
  }

  int64_t Int(const YAML::Node& n, const std::string& key, int64_t min) const {
    if (!n.IsScalar()) Fail(n, key, "expected an integer");
    int64_t v;
    if (!YAML::convert<int64_t>::decode(n, v)) Fail(n, key, absl::StrCat("expected an integer, got \"", n.Scalar(), "\""));
    if (v < min) Fail(n, key, absl::StrCat("must be at least ", min));
    return v;
  }

  int64_t IntIn(const YAML::Node& n, const std::string& key, int64_t min, int64_t max) const {
    int64_t v = Int(n, key, min);
    if (v > max) Fail(n, key, absl::StrCat(v, " is absurd: must be at most ", max));
    return v;
  }

  std::vector<std::string> Strings(const YAML::Node& n, const std::string& key) const {
    if (!n.IsSequence()) Fail(n, key, "expected a list of strings");
    std::vector<std::string> out;
    for (const auto& item : n) out.push_back(String(item, key));
    return out;
  }

  bool Bool(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) Fail(n, key, "expected true or false");
    bool v;
    if (!YAML::convert<bool>::decode(n, v)) Fail(n, key, absl::StrCat("expected true or false, got \"", n.Scalar(), "\""));
    return v;
  }

  std::string OneOf(const YAML::Node& n, const std::string& key, const std::set<std::string>& allowed) const {
    std::string v = String(n, key);
    if (!allowed.count(v)) Fail(n, key, absl::StrCat("\"", v, "\" is not one of ", absl::StrJoin(allowed, ", ")));
    return v;
  }

  // An absolute path, or "" for "the default".
  std::string AbsPathOrEmpty(const YAML::Node& n, const std::string& key) const {
    return String(n, key).empty() ? "" : AbsPath(n, key);
  }

  std::string AbsPath(const YAML::Node& n, const std::string& key) const {
    std::string v = String(n, key);
    if (v.empty() || v[0] != '/') Fail(n, key, absl::StrCat("\"", v, "\" is not an absolute path"));
    return v;
  }

  // An absolute path (cgroupfs) or a name ending in ".slice" (systemd); FinishConfig checks it
  // against cgroup_driver, which may come later in the file.
  std::string CgroupParent(const YAML::Node& n, const std::string& key) const {
    std::string v = String(n, key);
    if (!absl::StartsWith(v, "/") && !absl::EndsWith(v, ".slice")) {
      Fail(n, key, absl::StrCat("\"", v, "\" is neither an absolute path (cgroupfs) nor a slice name (systemd)"));
    }
    return v;
  }

  // Walks a mapping, dispatching each key to its setter; unknown keys are errors.
  void Map(const YAML::Node& n, const std::string& prefix, const std::map<std::string, Setter>& setters) const {
    if (!n.IsMap()) Fail(n, prefix.empty() ? "(top level)" : prefix, "expected a mapping");
    for (const auto& kv : n) {
      std::string name = kv.first.as<std::string>();
      std::string full = prefix.empty() ? name : absl::StrCat(prefix, ".", name);
      auto it = setters.find(name);
      if (it == setters.end()) Fail(kv.first, full, "unknown key");
      if (kv.second.IsNull()) continue;  // "key:" with no value keeps the default
      it->second(kv.second, full);
    }
  }
};

const std::set<std::string> kLogLevels = {"trace", "debug", "info", "warn", "error"};

void Apply(const Parser& p, const YAML::Node& root, Config& c) {
  std::map<std::string, Setter> cni = {
      {"conf_dir", [&](auto& n, auto& k) { c.cni.conf_dir = p.AbsPath(n, k); }},
      {"bin_dirs", [&](auto& n, auto& k) { c.cni.bin_dirs = p.Strings(n, k); }},
      {"cache_dir", [&](auto& n, auto& k) { c.cni.cache_dir = p.AbsPathOrEmpty(n, k); }},
  };
  std::map<std::string, Setter> registry = {
      {"mirrors",
       [&](auto& n, auto& k) {
         if (!n.IsMap()) p.Fail(n, k, "expected a mapping of registry host to endpoint URLs");
         for (const auto& kv : n) {
           std::string host = kv.first.template as<std::string>();
           std::string key = absl::StrCat(k, ".", host);
           std::vector<std::string> urls = p.Strings(kv.second, key);
           for (const auto& u : urls) {
             if (!absl::StartsWith(u, "http://") && !absl::StartsWith(u, "https://")) {
               p.Fail(kv.second, key, absl::StrCat("\"", u, "\" is not an http:// or https:// URL"));
             }
           }
           c.registry.mirrors[host] = urls;
         }
       }},
      {"insecure", [&](auto& n, auto& k) { c.registry.insecure = p.Strings(n, k); }},
      {"timeout_seconds", [&](auto& n, auto& k) { c.registry.timeout_seconds = p.Int(n, k, 1); }},
      {"retries", [&](auto& n, auto& k) { c.registry.retries = p.Int(n, k, 0); }},
      {"pull_deadline_seconds", [&](auto& n, auto& k) { c.registry.pull_deadline_seconds = p.Int(n, k, 1); }},
  };
  std::map<std::string, Setter> images = {
      {"max_layer_bytes", [&](auto& n, auto& k) { c.images.max_layer_bytes = p.Int(n, k, 1024); }},
      {"max_layer_entries", [&](auto& n, auto& k) { c.images.max_layer_entries = p.Int(n, k, 1); }},
      {"keep_setid_bits", [&](auto& n, auto& k) { c.images.keep_setid_bits = p.Bool(n, k); }},
  };
  std::map<std::string, Setter> metrics = {
      {"listen", [&](auto& n, auto& k) { c.metrics_listen = p.String(n, k); }},
      {"housekeeping_seconds", [&](auto& n, auto& k) { c.metrics_housekeeping_seconds = p.IntIn(n, k, 0, 300); }},
  };
  std::map<std::string, Setter> streaming = {
      {"listen", [&](auto& n, auto& k) { c.streaming.listen = p.String(n, k); }},
      {"max_sessions", [&](auto& n, auto& k) { c.streaming.max_sessions = p.IntIn(n, k, 1, 100000); }},
      {"token_ttl_seconds", [&](auto& n, auto& k) { c.streaming.token_ttl_seconds = p.IntIn(n, k, 1, 3600); }},
      {"buffer_bytes",
       [&](auto& n, auto& k) { c.streaming.buffer_bytes = p.IntIn(n, k, 4096, int64_t{1} << 30); }},
      {"idle_timeout_seconds",
       [&](auto& n, auto& k) { c.streaming.idle_timeout_seconds = p.IntIn(n, k, 1, 7 * 24 * 3600); }},
  };
  std::map<std::string, Setter> top = {
      {"socket", [&](auto& n, auto& k) { c.socket = p.AbsPath(n, k); }},
      {"root_dir", [&](auto& n, auto& k) { c.root_dir = p.AbsPath(n, k); }},
      {"run_dir", [&](auto& n, auto& k) { c.run_dir = p.AbsPath(n, k); }},
      {"log_level", [&](auto& n, auto& k) { c.log_level = p.OneOf(n, k, kLogLevels); }},
      {"log_format", [&](auto& n, auto& k) { c.log_format = p.OneOf(n, k, {"text", "json"}); }},
      {"cgroup_driver", [&](auto& n, auto& k) { c.cgroup_driver = p.OneOf(n, k, {"cgroupfs", "systemd"}); }},
      {"cgroup_parent", [&](auto& n, auto& k) { c.cgroup_parent = p.CgroupParent(n, k); }},
      {"pause_binary", [&](auto& n, auto& k) { c.pause_binary = p.AbsPathOrEmpty(n, k); }},
      {"shim_binary", [&](auto& n, auto& k) { c.shim_binary = p.AbsPathOrEmpty(n, k); }},
      {"runtime_handlers", [&](auto& n, auto& k) { c.runtime_handlers = p.Strings(n, k); }},
      {"oom_score_adj_policy", [&](auto& n, auto& k) { c.oom_score_adj_policy = p.OneOf(n, k, {"clamp", "fail"}); }},
      {"shutdown_grace_seconds", [&](auto& n, auto& k) { c.shutdown_grace_seconds = p.Int(n, k, 0); }},
      {"cgroup_v1_namespace", [&](auto& n, auto& k) { c.cgroup_v1_namespace = p.Bool(n, k); }},
      {"exec_sync_output_limit", [&](auto& n, auto& k) { c.exec_sync_output_limit = p.Int(n, k, 1024); }},
      {"cni", [&](auto& n, auto& k) { p.Map(n, k, cni); }},
      {"registry", [&](auto& n, auto& k) { p.Map(n, k, registry); }},
      {"images", [&](auto& n, auto& k) { p.Map(n, k, images); }},
      {"metrics", [&](auto& n, auto& k) { p.Map(n, k, metrics); }},
      {"streaming", [&](auto& n, auto& k) { p.Map(n, k, streaming); }},
  };
  if (root.IsNull()) return;  // an empty file: all defaults
  p.Map(root, "", top);
  if (c.cgroup_driver == "systemd" && !root["cgroup_parent"]) c.cgroup_parent = kDefaultSystemdParent;
}

std::string HostPortError(const std::string& v) {
  auto colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == v.size()) return "expected HOST:PORT";
  for (char ch : v.substr(colon + 1)) {
    if (ch < '0' || ch > '9') return "the port is not a number";
  }
  if (std::stol(v.substr(colon + 1)) > 65535) return "the port is above 65535";
  return "";
}

absl::Status FinishCgroupParent(Config& c) {
  bool systemd = c.cgroup_driver == "systemd";
  if (!systemd && c.cgroup_driver != "cgroupfs") {
    return absl::InvalidArgumentError(absl::StrCat("cgroup_driver \"", c.cgroup_driver, "\" is not cgroupfs or systemd"));
  }
  absl::Status st = systemd ? systemd::ValidateSliceName(c.cgroup_parent) : cgroupfs::ValidatePath(c.cgroup_parent);
  if (!st.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("cgroup_parent \"", c.cgroup_parent, "\" does not fit cgroup_driver ",
                                                   c.cgroup_driver, " (", systemd ? "a slice name like kubepods.slice"
                                                                                  : "an absolute cgroup path",
                                                   "): ", st.message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Config> LoadConfig(const std::string& path, bool explicit_path) {
  Config config;
  auto text = ReadFile(path);
  if (!text.ok()) {
    if (absl::IsNotFound(text.status()) && !explicit_path) return config;
    return Annotate(text.status(), "read config");
  }
  config.config_file = path;
  Parser parser{path};
  try {
    YAML::Node root = YAML::Load(*text);
    Apply(parser, root, config);
  } catch (const ConfigError& e) {
    return e.ToStatus();
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ":", e.mark.line + 1, ": ", e.msg));
  }
  return config;
}

absl::Status FinishConfig(Config& config, const std::string& self_dir) {
  if (config.cni.cache_dir.empty()) config.cni.cache_dir = config.root_dir + "/cni";
  RETURN_IF_ERROR(FinishCgroupParent(config));
  if (config.pause_binary.empty()) config.pause_binary = self_dir + "/podagent-pause";
  if (config.shim_binary.empty()) config.shim_binary = self_dir + "/podagent-shim";
  if (!kLogLevels.count(config.log_level)) {
    return absl::InvalidArgumentError(absl::StrCat("log level \"", config.log_level, "\" is not one of ",
                                                   absl::StrJoin(kLogLevels, ", ")));
  }
  if (config.log_format != "text" && config.log_format != "json") {
    return absl::InvalidArgumentError(absl::StrCat("log format \"", config.log_format, "\" is not text or json"));
  }
  if (!config.metrics_listen.empty()) {
    if (std::string e = HostPortError(config.metrics_listen); !e.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("metrics listen address \"", config.metrics_listen, "\": ", e));
    }
  }
  for (const std::string* dir : {&config.socket, &config.root_dir, &config.run_dir}) {
    if (dir->empty() || (*dir)[0] != '/') {
      return absl::InvalidArgumentError(absl::StrCat("\"", *dir, "\" is not an absolute path"));
    }
  }
  return absl::OkStatus();
}

nlohmann::json Config::ToJson() const {
  return {
      {"config_file", config_file},
      {"socket", socket},
      {"root_dir", root_dir},
      {"run_dir", run_dir},
      {"log_level", log_level},
      {"log_format", log_format},
      {"metrics", {{"listen", metrics_listen}, {"housekeeping_seconds", metrics_housekeeping_seconds}}},
      {"streaming",
       {{"listen", streaming.listen},
        {"max_sessions", streaming.max_sessions},
        {"token_ttl_seconds", streaming.token_ttl_seconds},
        {"buffer_bytes", streaming.buffer_bytes},
        {"idle_timeout_seconds", streaming.idle_timeout_seconds}}},
      {"cgroup_driver", cgroup_driver},
      {"cgroup_parent", cgroup_parent},
      {"pause_binary", pause_binary},
      {"shim_binary", shim_binary},
      {"runtime_handlers", runtime_handlers},
      {"oom_score_adj_policy", oom_score_adj_policy},
      {"shutdown_grace_seconds", shutdown_grace_seconds},
      {"cgroup_v1_namespace", cgroup_v1_namespace},
      {"exec_sync_output_limit", exec_sync_output_limit},
      {"cni", {{"conf_dir", cni.conf_dir}, {"bin_dirs", cni.bin_dirs}, {"cache_dir", cni.cache_dir}}},
      // Mirrors and insecure hosts are not secrets; credentials never live in this file.
      {"registry",
       {{"mirrors", registry.mirrors},
        {"insecure", registry.insecure},
        {"timeout_seconds", registry.timeout_seconds},
        {"retries", registry.retries},
        {"pull_deadline_seconds", registry.pull_deadline_seconds}}},
      {"images",
       {{"max_layer_bytes", images.max_layer_bytes},
        {"max_layer_entries", images.max_layer_entries},
        {"keep_setid_bits", images.keep_setid_bits}}},
  };
}

}  // namespace podagent
