#include "metrics/disk_usage.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <set>
#include <utility>
#include <vector>

#include <string>

namespace podagent {
namespace {

constexpr int kMaxDepth = 128;

struct Walk {
  dev_t dev = 0;
  uint64_t max_entries = 0;
  std::set<std::pair<dev_t, ino_t>> linked;  // inodes with nlink > 1 already counted
  DirUsage usage;

  void Count(const struct stat& st) {
    if (st.st_nlink > 1 && !S_ISDIR(st.st_mode) && !linked.emplace(st.st_dev, st.st_ino).second) return;
    usage.bytes += static_cast<uint64_t>(st.st_blocks) * 512;
    usage.inodes += 1;
  }

  // Walks the directory open at `fd` (consumed).
  void Dir(int fd, int depth) {
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
      ::close(fd);
      return;
    }
    std::vector<std::string> subdirs;
    while (struct dirent* e = ::readdir(d)) {
      absl::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      if (usage.inodes >= max_entries) {
        usage.complete = false;
        break;
      }
      struct stat st{};
      if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (st.st_dev != dev) continue;
      Count(st);
      if (S_ISDIR(st.st_mode)) subdirs.emplace_back(name);
    }
    // One fd per level of depth: children are opened only after the listing is done.
    for (const std::string& name : subdirs) {
      int sub = ::openat(::dirfd(d), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0) continue;
      if (depth >= kMaxDepth) {
        ::close(sub);
        usage.complete = false;
        continue;
      }
      Dir(sub, depth + 1);
    }
    ::closedir(d);
  }
};

}  // namespace

DirUsage MeasureDiskUsage(const std::string& dir, uint64_t max_entries) {
  Walk walk;
  walk.max_entries = max_entries;
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return walk.usage;
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return walk.usage;
  }
  walk.dev = st.st_dev;
  walk.Count(st);
  walk.Dir(fd, 0);
  return walk.usage;
}

DirUsage DiskUsageCache::Get(const std::string& dir, absl::Time now) {
  struct stat st{};
  int64_t mtime_ns = 0;
  if (::stat(dir.c_str(), &st) == 0) mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
  {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(dir);
    if (it != entries_.end() && it->second.mtime_ns == mtime_ns && now - it->second.measured < ttl_) {
      it->second.used = now;
      return it->second.usage;
    }
  }
  // Measured outside the lock: concurrent scrapes may both walk once, but never block each other.
  DirUsage usage = MeasureDiskUsage(dir, max_entries_);
  absl::MutexLock lock(&mu_);
  entries_[dir] = Entry{mtime_ns, now, now, usage};
  return usage;
}

void DiskUsageCache::Prune(absl::Time before) {
  absl::MutexLock lock(&mu_);
  std::erase_if(entries_, [&](const auto& kv) { return kv.second.used < before; });
}

}  // namespace podagent
