#pragma once
// CgroupLayout: where a cgroup's files live for each controller, under a mount root that tests
// point at fixture trees. cgroup v2 has one directory per cgroup; cgroup v1 has one hierarchy per
// mounted controller set ("cpu", "cpuacct", or co-mounted "cpu,cpuacct").

#include <map>
#include <string>

namespace podagent {

class CgroupLayout {
 public:
  // Unified hierarchy at `root`.
  static CgroupLayout V2(const std::string& root);
  // v1 hierarchies: each directory under `root` whose name lists controllers ("cpu,cpuacct").
  static CgroupLayout V1(const std::string& root);
  // statfs(root): cgroup2 magic -> V2, anything else -> V1.
  static CgroupLayout Probe(const std::string& root = "/sys/fs/cgroup");

  bool IsV2() const { return v2_; }
  const std::string& Root() const { return root_; }
  // Absolute directory of cgroup `path` for `controller`; "" when that v1 controller is not mounted.
  std::string Dir(const std::string& path, const std::string& controller) const;

 private:
  bool v2_ = false;
  std::string root_;
  std::map<std::string, std::string> v1_mounts_;  // controller -> hierarchy dir
};

}  // namespace podagent
