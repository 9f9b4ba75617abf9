#include "metrics/ulimits.h"

#include <fcntl.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runtime/common/unique_fd.h"

namespace podagent {
namespace {

// /proc/<pid>/limits is about 1.3 KiB; anything past 8 KiB is not the kernel's file.
constexpr size_t kMaxLimitsBytes = 8192;

std::optional<int64_t> ParseLimit(absl::string_view v) {
  if (absl::EqualsIgnoreCase(v, "unlimited")) return -1;
  int64_t n = 0;
  if (!absl::SimpleAtoi(v, &n)) return std::nullopt;
  return n;
}

}  // namespace

std::optional<int64_t> ParseMaxOpenFilesSoft(absl::string_view limits) {
  for (absl::string_view line : absl::StrSplit(limits, '\n')) {
    if (!absl::ConsumePrefix(&line, "Max open files")) continue;
    // "soft hard units": cAdvisor wants exactly three fields.
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (f.size() != 3 || !ParseLimit(f[1])) return std::nullopt;
    return ParseLimit(f[0]);
  }
  return std::nullopt;
}

std::optional<int64_t> ReadMaxOpenFilesSoft(pid_t pid, const std::string& proc_root) {
  if (pid <= 0) return std::nullopt;
  std::string path = absl::StrCat(proc_root, "/", pid, "/limits");
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.Get() < 0) return std::nullopt;
  std::string text(kMaxLimitsBytes, '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd.Get(), text.data() + got, text.size() - got);
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  text.resize(got);
  return ParseMaxOpenFilesSoft(text);
}

}  // namespace podagent
