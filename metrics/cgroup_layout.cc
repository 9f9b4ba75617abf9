#include "metrics/cgroup_layout.h"

#include <linux/magic.h>
#include <sys/vfs.h>

#include "absl/strings/str_split.h"
#include "runtime/common/files.h"

namespace podagent {
namespace {

std::string Join(const std::string& dir, const std::string& path) {
  if (path.empty() || path == "/") return dir;
  return path.front() == '/' ? dir + path : dir + "/" + path;
}

}  // namespace

CgroupLayout CgroupLayout::V2(const std::string& root) {
  CgroupLayout layout;
  layout.v2_ = true;
  layout.root_ = root;
  return layout;
}

CgroupLayout CgroupLayout::V1(const std::string& root) {
  CgroupLayout layout;
  layout.root_ = root;
  absl::StatusOr<std::vector<std::string>> names = ListDir(root);
  if (!names.ok()) return layout;
  for (const std::string& name : *names) {
    for (absl::string_view controller : absl::StrSplit(name, ',', absl::SkipEmpty())) {
      // "cpu" wins over "cpu,cpuacct" when both exist (the symlink and the mount name).
      auto [it, inserted] = layout.v1_mounts_.emplace(std::string(controller), root + "/" + name);
      if (!inserted && name == controller) it->second = root + "/" + name;
    }
  }
  return layout;
}

CgroupLayout CgroupLayout::Probe(const std::string& root) {
  struct statfs fs{};
  if (::statfs(root.c_str(), &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) return V2(root);
  return V1(root);
}

std::string CgroupLayout::Dir(const std::string& path, const std::string& controller) const {
  if (v2_) return Join(root_, path);
  auto it = v1_mounts_.find(controller);
  if (it == v1_mounts_.end()) return "";
  return Join(it->second, path);
}

}  // namespace podagent
