#include "metrics/cgroup_dir.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "metrics/stat_files.h"

namespace podagent {
namespace {

constexpr int kDirFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

// Appends what `fd` holds to `out`, up to CgroupDir::kMaxFileBytes; false on a read error.
bool ReadRest(int fd, std::string& out) {
  char buf[8192];
  while (out.size() < CgroupDir::kMaxFileBytes) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

CgroupDir::CgroupDir(const std::string& path) : path_(path) {
  if (!path.empty()) fd_.Reset(::open(path.c_str(), kDirFlags));
}

CgroupDir CgroupDir::Child(absl::string_view name) const {
  std::string n(name);
  int fd = Open() ? ::openat(fd_.Get(), n.c_str(), kDirFlags) : -1;
  return CgroupDir(UniqueFd(fd), absl::StrCat(path_, "/", name));
}

UniqueFd CgroupDir::OpenFile(absl::string_view name) const {
  if (!Open()) return UniqueFd();
  return UniqueFd(::openat(fd_.Get(), std::string(name).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
}

std::optional<std::string> CgroupDir::Read(absl::string_view name) const {
  UniqueFd fd = OpenFile(name);
  if (!fd) return std::nullopt;
  // Read until EOF: a seq_file (cgroupfs, /proc) read returns whole records only, so a read
  // shorter than the buffer does not mean the file ended (cgroup.procs past ~680 pids).
  char buf[4096];
  ssize_t n;
  do {
    n = ::read(fd.Get(), buf, sizeof(buf));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return std::nullopt;
  std::string out(buf, static_cast<size_t>(n));
  if (n > 0 && !ReadRest(fd.Get(), out)) return std::nullopt;
  return out;
}

std::optional<uint64_t> CgroupDir::Uint(absl::string_view name) const {
  std::optional<std::string> content = Read(name);
  if (!content) return std::nullopt;
  return ParseUint(*content);
}

std::optional<int64_t> CgroupDir::Int(absl::string_view name) const {
  std::optional<std::string> content = Read(name);
  if (!content) return std::nullopt;
  return ParseInt(*content);
}

std::map<std::string, uint64_t, std::less<>> CgroupDir::KeyValues(absl::string_view name) const {
  std::optional<std::string> content = Read(name);
  if (!content) return {};
  return ParseKeyValues(*content);
}

}  // namespace podagent
