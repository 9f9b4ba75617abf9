#include "agent/container/container_users.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/cli/bounded_read.h"
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
  struct open_how how = {};
  how.flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, root.Get(), "etc/passwd", &how, sizeof how);
  if (fd < 0) return {};
  UniqueFd file(static_cast<int>(fd));
  auto text = ReadTail(file.Get(), kPasswdLimit, "etc/passwd");  // refuses a FIFO or a device
  return text.ok() ? ParsePasswd(*text) : std::map<uid_t, std::string>{};
}

std::string UserName(const std::map<uid_t, std::string>& users, uid_t uid) {
  auto it = users.find(uid);
  return it == users.end() ? absl::StrCat(uid) : it->second;
}

}  // namespace podagent
