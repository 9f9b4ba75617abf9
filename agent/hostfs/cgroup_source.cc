#include "agent/hostfs/cgroup_source.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/hostfs/bounded_read.h"
#include "runtime/image/path_safety.h"
#include "runtime/common/errors.h"

namespace podagent {
namespace {

constexpr size_t kFileLimit = 64 << 10;  // a cgroup file of the facts shown: far smaller
constexpr size_t kProcsLimit = 4 << 20;  // cgroup.procs: about 500 000 pids
constexpr int kMaxDescendants = 1024;    // cgroups below a pod's container walked by Procs
const char* const kV1Controllers[] = {"memory", "cpu", "cpuacct", "cpuset", "pids"};

// "/podagent/pod1" -> "podagent/pod1", to open beneath a hierarchy's root.
std::string Relative(const std::string& path) {
  size_t i = path.find_first_not_of('/');
  return i == std::string::npos ? "" : path.substr(i);
}

// The names of the subdirectories of the open directory `fd` (not following symlinks).
std::vector<std::string> SubDirs(int fd) {
  std::vector<std::string> out;
  int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  DIR* d = dup < 0 ? nullptr : ::fdopendir(dup);
  if (d == nullptr) {
    if (dup >= 0) ::close(dup);
    return out;
  }
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_type == DT_DIR && e->d_name[0] != '.') out.push_back(e->d_name);
  }
  ::closedir(d);
  return out;
}

}  // namespace

std::vector<pid_t> ParseProcs(const std::string& text) {
  std::vector<pid_t> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    int pid = 0;
    if (absl::SimpleAtoi(line, &pid) && pid > 0) out.push_back(pid);
  }
  return out;
}

absl::StatusOr<std::unique_ptr<CgroupSource>> CgroupSource::Open(const std::string& mount_root) {
  auto s = std::unique_ptr<CgroupSource>(new CgroupSource());
  s->root_ = mount_root;
  struct statfs fs;
  if (::statfs(mount_root.c_str(), &fs) != 0) return ErrnoError(absl::StrCat("statfs ", mount_root));
  s->v2_ = fs.f_type == CGROUP2_SUPER_MAGIC;
  std::vector<std::string> controllers = {""};
  if (!s->v2_) controllers.assign(std::begin(kV1Controllers), std::end(kV1Controllers));
  for (const std::string& c : controllers) {
    // The hierarchy roots are the administrator's mounts (v1 "cpu" is often a symlink to
    // "cpu,cpuacct"): followed. Everything below them is not.
    std::string dir = c.empty() ? mount_root : absl::StrCat(mount_root, "/", c);
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) continue;
    s->hierarchies_[c] = UniqueFd(fd);
    s->hierarchy_dirs_[c] = dir;
  }
  if (s->hierarchies_.empty()) return absl::NotFoundError(absl::StrCat("no cgroup hierarchy under ", mount_root));
  return s;
}

std::string CgroupSource::Dir(const std::string& path, const std::string& controller) const {
  auto it = hierarchy_dirs_.find(v2_ ? "" : controller);
  if (it == hierarchy_dirs_.end()) return "";
  std::string rel = Relative(path);
  return rel.empty() ? it->second : absl::StrCat(it->second, "/", rel);
}

absl::StatusOr<UniqueFd> CgroupSource::OpenDir(const std::string& path, const std::string& controller) const {
  auto it = hierarchies_.find(v2_ ? "" : controller);
  if (it == hierarchies_.end()) return absl::NotFoundError(absl::StrCat("no ", controller, " hierarchy"));
  auto fd = OpenBeneath(it->second.Get(), Relative(path), O_RDONLY | O_DIRECTORY, "cgroup");
  if (!fd.ok()) return Annotate(fd.status(), absl::StrCat("cgroup ", path));
  return fd;
}

std::optional<std::string> CgroupSource::ReadFile(const std::string& path, const std::string& controller,
                                                  const std::string& file) const {
  auto dir = OpenDir(path, controller);
  if (!dir.ok()) return std::nullopt;
  auto fd = OpenBeneath(dir->Get(), file, O_RDONLY | O_NONBLOCK, "cgroup file");
  if (!fd.ok()) return std::nullopt;
  auto text = ReadHead(fd->Get(), kFileLimit, file);
  return text.ok() ? std::optional<std::string>(*text) : std::nullopt;
}

absl::StatusOr<CgroupFacts> CgroupSource::Facts(const std::string& path) const {
  bool exists = false;
  for (const auto& [controller, fd] : hierarchies_) exists = exists || OpenDir(path, controller).ok();
  if (!exists) return absl::NotFoundError(absl::StrCat("cgroup ", path, " does not exist"));
  return ReadCgroupFacts(
      v2_, [&](const std::string& controller, const std::string& file) { return ReadFile(path, controller, file); });
}

absl::StatusOr<std::vector<pid_t>> CgroupSource::Procs(const std::string& path) const {
  std::string controller = "";
  for (const char* c : {"pids", "memory", "cpu"}) {
    if (!v2_ && controller.empty() && hierarchies_.count(c)) controller = c;
  }
  std::vector<pid_t> out;
  std::vector<std::string> pending = {Relative(path)};
  for (int visited = 0; !pending.empty() && visited < kMaxDescendants; ++visited) {
    std::string rel = std::move(pending.back());
    pending.pop_back();
    auto dir = OpenDir(rel, controller);
    if (!dir.ok()) return dir.status();
    auto fd = OpenBeneath(dir->Get(), "cgroup.procs", O_RDONLY | O_NONBLOCK, "cgroup");
    if (!fd.ok()) return Annotate(fd.status(), absl::StrCat("cgroup ", rel));
    auto text = ReadHead(fd->Get(), kProcsLimit, absl::StrCat(rel, "/cgroup.procs"));
    if (!text.ok()) return text.status();
    for (pid_t p : ParseProcs(*text)) out.push_back(p);
    for (const auto& sub : SubDirs(dir->Get())) pending.push_back(absl::StrCat(rel, "/", sub));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace podagent
