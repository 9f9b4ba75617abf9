#include "tests/bench/cri/options.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace podagent::bench {

const char kUsage[] = R"(usage: podagent-cri-bench --endpoint SOCK [options]
  --endpoint SOCK          the CRI socket under test (unix path or unix://path)
  --peer-endpoint SOCK     a second runtime: rounds alternate between the two, ratios printed
  --name NAME              column name of --endpoint (podagent)
  --peer-name NAME         column name of --peer-endpoint (containerd)
  --metrics-url URL        Prometheus endpoint of --endpoint (none: no scrape row)
  --peer-metrics-url URL   the same for the peer (containerd: http://HOST:PORT/v1/metrics)
  --rounds N               rounds of the lifecycle and image steps (10)
  --pods K,K,...           pod counts started at once (1,10,100,500)
  --clients C              client threads for the K pods (20)
  --list-rounds N          calls of each List and scrape at K (5)
  --settle SECONDS         between the groups of rows: sync, then wait this long (0)
  --image SMALL[,LARGE]    images to pull; SMALL also runs the containers
                           (127.0.0.1:5000/busybox:1.35,127.0.0.1:5000/podagent-bench/large:1)
  --json FILE              write every sample and summary as JSON
  --cni-conflist FILE      time FILE's plugin chain alone (ADD, DEL) each lifecycle round: the
                           bound of the CNI rows (give the runtime's own conflist)
  --cni-bin-dir DIR[:DIR]  where those plugins are (/usr/lib/cni)
)";

namespace {

absl::Status ParseInt(const std::string& flag, const std::string& v, int min, int* out) {
  if (!absl::SimpleAtoi(v, out) || *out < min) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": want an integer >= ", min, ", got \"", v, "\""));
  }
  return absl::OkStatus();
}

absl::Status ParseInts(const std::string& flag, const std::string& v, std::vector<int>* out) {
  out->clear();
  for (absl::string_view part : absl::StrSplit(v, ',')) {
    int k = 0;
    absl::Status st = ParseInt(flag, std::string(part), 1, &k);
    if (!st.ok()) return st;
    out->push_back(k);
  }
  return absl::OkStatus();
}

absl::Status ParseImages(const std::string& v, Options* o) {
  std::vector<std::string> refs = absl::StrSplit(v, ',');
  if (refs.empty() || refs.size() > 2 || refs[0].empty()) {
    return absl::InvalidArgumentError("--image: want SMALL or SMALL,LARGE, got \"" + v + "\"");
  }
  o->small_image = refs[0];
  o->large_image = refs.size() == 2 ? refs[1] : "";
  return absl::OkStatus();
}

absl::Status Apply(const std::string& flag, const std::string& v, Options* o) {
  if (flag == "--endpoint") o->endpoint = v;
  else if (flag == "--peer-endpoint") o->peer_endpoint = v;
  else if (flag == "--name") o->name = v;
  else if (flag == "--peer-name") o->peer_name = v;
  else if (flag == "--metrics-url") o->metrics_url = v;
  else if (flag == "--peer-metrics-url") o->peer_metrics_url = v;
  else if (flag == "--rounds") return ParseInt(flag, v, 1, &o->rounds);
  else if (flag == "--pods") return ParseInts(flag, v, &o->pods);
  else if (flag == "--clients") return ParseInt(flag, v, 1, &o->clients);
  else if (flag == "--list-rounds") return ParseInt(flag, v, 1, &o->list_rounds);
  else if (flag == "--settle") return ParseInt(flag, v, 0, &o->settle_seconds);
  else if (flag == "--image") return ParseImages(v, o);
  else if (flag == "--json") o->json_path = v;
  else if (flag == "--cni-conflist") o->cni_conflist = v;
  else if (flag == "--cni-bin-dir") o->cni_bin_dirs = absl::StrSplit(v, ':', absl::SkipEmpty());
  else return absl::InvalidArgumentError("unknown flag " + flag);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Options> ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") return absl::NotFoundError(kUsage);
    if (i + 1 >= argc) return absl::InvalidArgumentError(flag + ": missing value");
    absl::Status st = Apply(flag, argv[++i], &o);
    if (!st.ok()) return st;
  }
  if (o.endpoint.empty()) return absl::InvalidArgumentError("--endpoint is required");
  if (o.name == o.peer_name) return absl::InvalidArgumentError("--name and --peer-name must differ");
  return o;
}

}  // namespace podagent::bench
