#include "metrics/fs_stats.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "runtime/common/unique_fd.h"

namespace podagent {

std::optional<FsStats> ReadFsStats(const std::string& dir, DeviceNames& names) {
  UniqueFd fd(::open(dir.c_str(), O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC));
  if (fd.Get() < 0) return std::nullopt;
  struct statfs fs {};
  struct stat st {};
  if (::fstatfs(fd.Get(), &fs) != 0 || ::fstat(fd.Get(), &st) != 0) return std::nullopt;
  FsStats out;
  out.major = major(st.st_dev);
  out.minor = minor(st.st_dev);
  out.device = names.Filesystem(out.major, out.minor);
  out.limit_bytes = uint64_t(fs.f_blocks) * uint64_t(fs.f_bsize);
  out.inodes_total = fs.f_files;
  out.inodes_free = fs.f_ffree;
  return out;
}

}  // namespace podagent
