#include "agent/container/container_users.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/hostfs/bounded_read.h"
#include "runtime/common/unique_fd.h"

namespace podagent {
namespace {

constexpr size_t kPasswdLimit = 1 << 20;

}  // namespace

std::map<uid_t, std::string> ParsePasswd(const std::string& text) {
  std::map<uid_t, std::string> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> f = absl::StrSplit(line, ':');
    uint32_t uid = 0;
    if (f.size() < 4 || f[0].empty() || !absl::SimpleAtoi(f[2], &uid)) continue;
    out.emplace(static_cast<uid_t>(uid), std::string(f[0]));
  }
  return out;
}

std::map<uid_t, std::string> ContainerUsers(pid_t pid) {
  UniqueFd root(::open(absl::StrCat("/proc/", pid, "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return {};
  // The container owns this path: resolve it inside its root to an O_PATH fd, which opens
  // nothing, and read it only if it is a regular file. A device node or FIFO planted there (a
  // container with CAP_MKNOD can make one) is never opened by the daemon.
  struct open_how how = {};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  long pfd = ::syscall(SYS_openat2, root.Get(), "etc/passwd", &how, sizeof how);
  if (pfd < 0) return {};
  UniqueFd path(static_cast<int>(pfd));
  struct stat st;
  if (::fstat(path.Get(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
  UniqueFd file(::open(absl::StrCat("/proc/self/fd/", path.Get()).c_str(), O_RDONLY | O_NOCTTY | O_CLOEXEC));
  if (!file) return {};
  auto text = ReadTail(file.Get(), kPasswdLimit, "etc/passwd");
  return text.ok() ? ParsePasswd(*text) : std::map<uid_t, std::string>{};
}

std::string UserName(const std::map<uid_t, std::string>& users, uid_t uid) {
  auto it = users.find(uid);
  return it == users.end() ? absl::StrCat(uid) : it->second;
}

}  // namespace podagent
