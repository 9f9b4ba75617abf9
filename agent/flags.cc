#include "agent/flags.h"

#include <map>

#include "absl/strings/str_cat.h"

namespace podagent {

std::string UsageText() {
  return R"(usage: podagent [flags]              run the CRI daemon
       podagent image import FILE    import an OCI layout or docker-archive tar
       podagent image ls             list images in the store
       podagent ns POD [--json]      a pod's namespaces per process (id, id prefix or namespace/name)
       podagent why CTR [--json]     why a container is in its state (exit code, signal, OOM, log tail)
       podagent cgroup POD [--json]  a pod's cgroup tree: limits and usage of the pod, pause, containers
       podagent top POD [--json]     a pod's processes: pid inside and on the host, user, command

podagent serves the Kubernetes CRI (runtime.v1) on a unix socket.

flags:
  --config FILE            config file (default /etc/podagent/podagent.yaml; absent = built-in defaults)
  --socket PATH            CRI socket (default /run/podagent/podagent.sock)
  --root-dir DIR           persistent state (default /var/lib/podagent)
  --run-dir DIR            runtime state (default /run/podagent)
  --log-level LEVEL        trace, debug, info, warn, error (default info)
  --log-format FORMAT      text or json (default text)
  --metrics-listen HOST:PORT  Prometheus endpoint (default 127.0.0.1:9470; "" disables)
  --version                print the version and exit
  --help                   print this help and exit
)";
}

absl::StatusOr<Flags> ParseFlags(const std::vector<std::string>& args) {
  Flags f;
  std::map<std::string, std::optional<std::string>*> valued = {
      {"--socket", &f.socket},       {"--root-dir", &f.root_dir},
      {"--run-dir", &f.run_dir},     {"--log-level", &f.log_level},
      {"--log-format", &f.log_format}, {"--metrics-listen", &f.metrics_listen},
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (!f.subcommand.empty() || (arg.rfind("--", 0) != 0 && arg != "-h")) {
      f.subcommand.push_back(arg);
      continue;
    }
    if (arg == "--help" || arg == "-h") { f.help = true; continue; }
    if (arg == "--version") { f.version = true; continue; }
    std::string name = arg, value;
    bool has_value = false;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      has_value = true;
    }
    if (name != "--config" && !valued.count(name)) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag ", name, " (see podagent --help)"));
    }
    if (!has_value) {
      if (i + 1 >= args.size()) return absl::InvalidArgumentError(absl::StrCat("flag ", name, " needs a value"));
      value = args[++i];
    }
    if (name == "--config") {
      f.config_path = value;
      f.config_given = true;
    } else {
      *valued[name] = value;
    }
  }
  return f;
}

}  // namespace podagent
