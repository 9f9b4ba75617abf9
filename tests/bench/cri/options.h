#pragma once
// Command-line options of podagent-cri-bench.

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace podagent::bench {

struct Options {
  std::string endpoint, peer_endpoint;
  std::string name = "podagent", peer_name = "containerd";
  std::string metrics_url, peer_metrics_url;
  int rounds = 10;
  std::vector<int> pods = {1, 10, 100, 500};
  int clients = 20;
  int list_rounds = 5;
  int settle_seconds = 0;  // rest between the groups of rows (hack/bench.sh: 70)
  std::string small_image = "127.0.0.1:5000/busybox:1.35";
  std::string large_image = "127.0.0.1:5000/podagent-bench/large:1";
  std::string json_path;
  std::string cni_conflist;                            // "" skips the CNI bound rows
  std::vector<std::string> cni_bin_dirs = {"/usr/lib/cni"};
};

// Parses argv; InvalidArgument names the flag. `--help` gives NotFound with the usage text.
absl::StatusOr<Options> ParseOptions(int argc, char** argv);
extern const char kUsage[];

}  // namespace podagent::bench
