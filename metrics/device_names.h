#pragma once
// DeviceNames: the "/dev/..." names cAdvisor gives devices, cached by major:minor so a scrape does
// not read /sys (or /proc/self/mountinfo) again for every device of every container. The cache is
// bounded; past its size names are resolved but not kept. Thread-safe.
//   Block()       "/dev/<DEVNAME>" from <sys_root>/dev/block/M:m/uevent (metrics/blkio.h), "" when
//                 unknown: the `device` label of the disk IO families.
//   Filesystem()  the same, else the source of the mount with that st_dev in
//                 <proc_root>/self/mountinfo (a filesystem with no block device: tmpfs, overlay):
//                 the `device` label of container_fs_{usage,limit}_bytes and _inodes_*.

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace podagent {

// The source (the field after the filesystem type) of the first mount of `mountinfo` whose
// major:minor (third field) is `major`:`minor`; "" when there is none.
std::string MountSourceOf(absl::string_view mountinfo, uint32_t major, uint32_t minor);

class DeviceNames {
 public:
  explicit DeviceNames(std::string sys_root = "/sys", std::string proc_root = "/proc", size_t max_entries = 4096)
      : sys_root_(std::move(sys_root)), proc_root_(std::move(proc_root)), max_entries_(max_entries) {}

  std::string Block(uint32_t major, uint32_t minor);
  std::string Filesystem(uint32_t major, uint32_t minor);

 private:
  using Key = std::pair<uint64_t, bool>;  // major << 32 | minor, filesystem?
  std::string Cached(const Key& key, uint32_t major, uint32_t minor);
  std::string Resolve(bool filesystem, uint32_t major, uint32_t minor) const;

  const std::string sys_root_, proc_root_;
  const size_t max_entries_;
  absl::Mutex mu_;
  std::map<Key, std::string> names_ ABSL_GUARDED_BY(mu_);
};

}  // namespace podagent
