#include "tests/lib/cgroup_membership.h"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/common/files.h"

namespace podagent::testing {

constexpr char kCgroupRoot[] = "/sys/fs/cgroup";

bool CgroupRootIsV2() {
  struct statfs fs {};
  return ::statfs(kCgroupRoot, &fs) == 0 && static_cast<unsigned long>(fs.f_type) == CGROUP2_SUPER_MAGIC;
}

bool InCgroupEverywhere(pid_t pid, const std::string& path) {
  auto text = ReadFile(absl::StrCat("/proc/", pid, "/cgroup"));
  if (!text.ok() || text->empty()) return false;
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> parts = absl::StrSplit(line, absl::MaxSplits(':', 2));
    if (parts.size() != 3 || parts[2] != path) return false;
  }
  return true;
}

std::string CgroupFile(const std::string& path, const std::string& controller, const std::string& v2_file,
                       const std::string& v1_file) {
  if (CgroupRootIsV2()) return absl::StrCat(kCgroupRoot, path, "/", v2_file);
  return absl::StrCat(kCgroupRoot, "/", controller, path, "/", v1_file);
}

std::vector<std::string> CgroupDirs(const std::string& path) {
  if (CgroupRootIsV2()) return {kCgroupRoot + path};
  std::vector<std::string> out;
  auto names = ListDir(kCgroupRoot);
  for (const std::string& name : names.value_or(std::vector<std::string>{})) {
    std::string dir = absl::StrCat(kCgroupRoot, "/", name);
    struct stat st {};
    if (::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) out.push_back(dir + path);
  }
  return out;
}

}  // namespace podagent::testing
