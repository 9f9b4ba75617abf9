#include <linux/magic.h>
#include <sys/vfs.h>

#include "absl/strings/str_cat.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/errors.h"

namespace podagent {

absl::StatusOr<std::unique_ptr<CgroupDriver>> CgroupDriver::Detect(const std::string& mount_root) {
  struct statfs fs;
  if (::statfs(mount_root.c_str(), &fs) != 0) return ErrnoError(absl::StrCat("statfs ", mount_root));
  auto magic = static_cast<unsigned long>(fs.f_type);
  if (magic == CGROUP2_SUPER_MAGIC) return NewCgroupV2Driver(mount_root);
  if (magic == TMPFS_MAGIC) return NewCgroupV1Driver(mount_root);
  return absl::FailedPreconditionError(
      absl::StrCat("detect cgroup version at ", mount_root, ": neither cgroup2 nor a tmpfs of v1 hierarchies (magic 0x",
                   absl::Hex(magic), ")"));
}

}  // namespace podagent
