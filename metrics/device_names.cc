#include "metrics/device_names.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "metrics/blkio.h"
#include "metrics/stat_files.h"

namespace podagent {

std::string MountSourceOf(absl::string_view mountinfo, uint32_t major, uint32_t minor) {
  for (absl::string_view line : absl::StrSplit(mountinfo, '\n', absl::SkipWhitespace())) {
    // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue"
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (f.size() < 3) continue;
    std::pair<absl::string_view, absl::string_view> mm = absl::StrSplit(f[2], absl::MaxSplits(':', 1));
    uint32_t ma = 0, mi = 0;
    if (!absl::SimpleAtoi(mm.first, &ma) || !absl::SimpleAtoi(mm.second, &mi) || ma != major || mi != minor) {
      continue;
    }
    for (size_t i = 3; i + 2 < f.size(); ++i) {
      if (f[i] == "-") return std::string(f[i + 2]);
    }
  }
  return "";
}

std::string DeviceNames::Block(uint32_t major, uint32_t minor) {
  return Cached({(uint64_t{major} << 32) | minor, false}, major, minor);
}

std::string DeviceNames::Filesystem(uint32_t major, uint32_t minor) {
  return Cached({(uint64_t{major} << 32) | minor, true}, major, minor);
}

std::string DeviceNames::Cached(const Key& key, uint32_t major, uint32_t minor) {
  {
    absl::MutexLock lock(&mu_);
    auto it = names_.find(key);
    if (it != names_.end()) return it->second;
  }
  std::string name = Resolve(key.second, major, minor);  // outside the lock: file reads
  absl::MutexLock lock(&mu_);
  if (names_.size() < max_entries_) names_.emplace(key, name);
  return name;
}

std::string DeviceNames::Resolve(bool filesystem, uint32_t major, uint32_t minor) const {
  std::string name = BlockDeviceName(major, minor, sys_root_);
  if (!name.empty() || !filesystem) return name;
  return MountSourceOf(ReadOptionalFile(proc_root_ + "/self/mountinfo").value_or(""), major, minor);
}

}  // namespace podagent
