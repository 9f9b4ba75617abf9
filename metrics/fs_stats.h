#pragma once
// The filesystem holding a container's writable layer, as cAdvisor reports it beside
// container_fs_usage_bytes: container_fs_limit_bytes (its capacity: f_blocks * f_bsize),
// container_fs_inodes_total (f_files) and container_fs_inodes_free (f_ffree), labelled with the
// device of that filesystem (metrics/device_names.h). The directory is opened
// O_PATH|O_NOFOLLOW|O_DIRECTORY and fstatfs'd, so no link in it is followed.

#include <cstdint>
#include <optional>
#include <string>

#include "metrics/device_names.h"

namespace podagent {

struct FsStats {
  std::string device;  // "/dev/vda1", or the mount source when there is no block device
  uint32_t major = 0, minor = 0;
  uint64_t limit_bytes = 0;
  uint64_t inodes_total = 0;
  uint64_t inodes_free = 0;
};

// nullopt when `dir` cannot be opened as a directory (gone, or a symlink) or fstatfs fails.
std::optional<FsStats> ReadFsStats(const std::string& dir, DeviceNames& names);

}  // namespace podagent
