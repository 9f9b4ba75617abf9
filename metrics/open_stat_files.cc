#include "metrics/open_stat_files.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "metrics/cgroup_dir.h"
#include "metrics/stat_files.h"

namespace podagent {
namespace {

constexpr size_t kMostHeld = 16384;

// The whole file from offset 0, at most CgroupDir::kMaxFileBytes; nullopt on a read error.
// Read until EOF: a seq_file read returns whole records only, so a short read is not the end.
std::optional<std::string> ReadFromStart(int fd) {
  std::string out;
  char buf[8192];
  while (out.size() < CgroupDir::kMaxFileBytes) {
    ssize_t n = ::pread(fd, buf, sizeof(buf), static_cast<off_t>(out.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

OpenStatFiles::OpenStatFiles(size_t max_files, absl::Duration idle) : max_files_(max_files), idle_(idle) {}

OpenStatFiles::SharedFd OpenStatFiles::Get(const std::string& key, const std::string& dir, absl::string_view name,
                                           absl::Time now) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (now - pruned_ > idle_) PruneLocked(now);
    auto it = files_.find(key);
    if (it != files_.end()) {
      it->second.used = now;
      return it->second.fd;
    }
  }
  // Opened outside the lock, so two threads' first reads do not queue behind each other.
  CgroupDir d(dir);
  UniqueFd fd = d.Open() ? d.OpenFile(name) : UniqueFd();
  if (!fd) return nullptr;
  auto shared = std::make_shared<const UniqueFd>(std::move(fd));
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, added] = files_.try_emplace(key);
  if (!added) {  // another thread opened it meanwhile: use that one, close this
    it->second.used = now;
    return it->second.fd;
  }
  if (files_.size() > max_files_) {
    files_.erase(it);
    return shared;
  }
  it->second = Entry{shared, now};
  return shared;
}

void OpenStatFiles::Forget(const std::string& key, const SharedFd& fd) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(key);
  if (it != files_.end() && it->second.fd == fd) files_.erase(it);
}

std::optional<std::string> OpenStatFiles::Read(const std::string& dir, absl::string_view name, absl::Time now) {
  std::string key = absl::StrCat(dir, "/", name);
  for (int attempt = 0; attempt < 2; ++attempt) {
    SharedFd fd = Get(key, dir, name, now);
    if (!fd) return std::nullopt;
    if (std::optional<std::string> text = ReadFromStart(fd->Get())) return text;
    Forget(key, fd);  // a removed cgroup's file reads ENODEV: the path may name a new one now
  }
  return std::nullopt;
}

std::optional<uint64_t> OpenStatFiles::Uint(const std::string& dir, absl::string_view name, absl::Time now) {
  std::optional<std::string> text = Read(dir, name, now);
  if (!text) return std::nullopt;
  return ParseUint(*text);
}

std::map<std::string, uint64_t, std::less<>> OpenStatFiles::KeyValues(const std::string& dir, absl::string_view name,
                                                                      absl::Time now) {
  std::optional<std::string> text = Read(dir, name, now);
  if (!text) return {};
  return ParseKeyValues(*text);
}

void OpenStatFiles::Prune(absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  PruneLocked(now);
}

void OpenStatFiles::PruneLocked(absl::Time now) {
  pruned_ = now;
  absl::Time before = now - idle_;
  for (auto it = files_.begin(); it != files_.end();) {
    if (it->second.used < before) {
      files_.erase(it++);
    } else {
      ++it;
    }
  }
}

size_t OpenStatFiles::Size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return files_.size();
}

size_t DefaultMaxOpenStatFiles() {
  struct rlimit lim {};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return kMostHeld;
  return std::min<size_t>(kMostHeld, static_cast<size_t>(lim.rlim_cur / 4));
}

}  // namespace podagent
