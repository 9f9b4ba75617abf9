// `podagent image import FILE [NAME[:TAG]]` and `podagent image ls`: image management on a node
// without a registry, straight on the store under root_dir (the daemon picks new records up).
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/image/image_manager.h"
#include "runtime/image/importer.h"

namespace podagent {
namespace {

constexpr char kUsage[] =
    "usage: podagent image import FILE [NAME[:TAG]]   import an OCI layout (dir or tar) or docker-archive tar\n"
    "       podagent image ls                          list images\n";

int Import(ImageStore& store, const std::vector<std::string>& args) {
  if (args.size() < 2 || args.size() > 3) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto recs = ImportImages(store, args[1], args.size() == 3 ? args[2] : "");
  if (!recs.ok()) {
    std::fprintf(stderr, "podagent image import: %s\n", std::string(recs.status().message()).c_str());
    return 1;
  }
  for (const auto& r : *recs) std::printf("%s %s\n", r.id.c_str(), absl::StrJoin(r.repo_tags, ",").c_str());
  return 0;
}

int List(ImageStore& store) {
  std::printf("%-20s %-12s %s\n", "IMAGE ID", "SIZE", "TAGS");
  for (const auto& r : store.List()) {
    std::printf("%-20s %-12lld %s\n", r.id.substr(7, 13).c_str(), static_cast<long long>(r.size),
                r.repo_tags.empty() ? "<none>" : absl::StrJoin(r.repo_tags, ",").c_str());
  }
  return 0;
}

}  // namespace

int ImageCliMain(const Config& config, const std::vector<std::string>& args) {
  if (args.empty() || (args[0] != "import" && args[0] != "ls")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  ImageStore store(config.root_dir, UnpackOptionsFrom(config.images));
  auto init = store.Init();
  if (!init.ok()) {
    std::fprintf(stderr, "podagent image: %s\n", std::string(init.status().message()).c_str());
    return 1;
  }
  for (const auto& p : *init) std::fprintf(stderr, "podagent image: skipped %s\n", p.c_str());
  return args[0] == "import" ? Import(store, args) : List(store);
}

}  // namespace podagent
