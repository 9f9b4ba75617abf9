#include "tests/e2e/metrics/kernel_truth.h"

#include <unistd.h>

#include <sys/stat.h>

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runtime/common/files.h"

namespace podagent::testing {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  return absl::StrSplit(text, '\n', absl::SkipEmpty());
}

std::vector<std::string> Fields(const std::string& line) {
  return absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
}

absl::StatusOr<double> ToNumber(const std::string& path, const std::string& s) {
  double v = 0;
  if (!absl::SimpleAtod(s, &v)) return absl::DataLossError(absl::StrCat(path, ": not a number: ", s));
  return v;
}

}  // namespace

bool CgroupIsV2() {
  struct stat st;
  return ::stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0;
}

std::string CgroupFile(const std::string& id, const std::string& v1_controller, const std::string& name) {
  std::string rel = id.empty() || id[0] != '/' ? "/" + id : id;
  if (CgroupIsV2()) return absl::StrCat("/sys/fs/cgroup", rel, "/", name);
  return absl::StrCat("/sys/fs/cgroup/", v1_controller, rel, "/", name);
}

absl::StatusOr<double> KeyedValue(const std::string& path, const std::string& key) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  for (const std::string& line : Lines(*text)) {
    std::vector<std::string> f = Fields(line);
    if (f.size() == 2 && f[0] == key) return ToNumber(path, f[1]);
  }
  return absl::NotFoundError(absl::StrCat(path, ": no key ", key));
}

absl::StatusOr<double> LimitValue(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::string v(absl::StripAsciiWhitespace(*text));
  if (v == "max") return 0.0;
  absl::StatusOr<double> n = ToNumber(path, v);
  if (n.ok() && *n > 4.611686018427388e18) return 0.0;
  return n;
}

absl::StatusOr<double> IoStatSum(const std::string& path, const std::string& key) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  double sum = 0;
  for (const std::string& line : Lines(*text)) {
    for (const std::string& f : Fields(line)) {
      if (!absl::StartsWith(f, key + "=")) continue;
      absl::StatusOr<double> v = ToNumber(path, f.substr(key.size() + 1));
      if (!v.ok()) return v.status();
      sum += *v;
    }
  }
  return sum;
}

absl::StatusOr<double> BlkioSum(const std::string& path, const std::string& op) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  double sum = -1;
  for (const std::string& line : Lines(*text)) {
    std::vector<std::string> f = Fields(line);
    if (f.size() != 3 || f[1] != op) continue;  // "MAJ:MIN Op value"; "Total N" has two fields
    absl::StatusOr<double> v = ToNumber(path, f[2]);
    if (!v.ok()) return v.status();
    sum = (sum < 0 ? 0 : sum) + *v;
  }
  return sum;
}

absl::StatusOr<double> PsiTotalSeconds(const std::string& path, const std::string& kind) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  for (const std::string& line : Lines(*text)) {
    std::vector<std::string> f = Fields(line);
    if (f.empty() || f[0] != kind) continue;
    for (const std::string& kv : f) {
      if (!absl::StartsWith(kv, "total=")) continue;
      absl::StatusOr<double> us = ToNumber(path, kv.substr(6));
      if (!us.ok()) return us.status();
      return *us / 1e6;
    }
  }
  return absl::NotFoundError(absl::StrCat(path, ": no ", kind, " total="));
}

absl::StatusOr<FdCount> CountFds(const std::string& procs_path) {
  absl::StatusOr<std::string> procs = ReadFile(procs_path);
  if (!procs.ok()) return procs.status();
  FdCount n;
  for (const std::string& pid : Lines(*procs)) {
    std::string dir = absl::StrCat("/proc/", pid, "/fd");
    absl::StatusOr<std::vector<std::string>> fds = ListDir(dir);
    if (!fds.ok()) return fds.status();
    for (const std::string& fd : *fds) {
      char target[256];
      ssize_t len = ::readlink(absl::StrCat(dir, "/", fd).c_str(), target, sizeof(target) - 1);
      if (len < 0) return absl::InternalError(absl::StrCat("readlink ", dir, "/", fd));
      n.fds += 1;
      if (absl::StartsWith(std::string(target, len), "socket:[")) n.sockets += 1;
    }
  }
  return n;
}

absl::StatusOr<double> NetDevColumn(pid_t pid, const std::string& iface, int column) {
  std::string path = absl::StrCat("/proc/", pid, "/net/dev");
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  for (const std::string& line : Lines(*text)) {
    std::vector<std::string> kv = absl::StrSplit(line, absl::MaxSplits(':', 1));
    if (kv.size() != 2 || absl::StripAsciiWhitespace(kv[0]) != iface) continue;
    std::vector<std::string> f = Fields(kv[1]);
    if (column >= static_cast<int>(f.size())) return absl::DataLossError(absl::StrCat(path, ": short line ", line));
    return ToNumber(path, f[column]);
  }
  return absl::NotFoundError(absl::StrCat(path, ": no interface ", iface));
}

absl::StatusOr<double> CpuinfoProcessors() {
  absl::StatusOr<std::string> text = ReadFile("/proc/cpuinfo");
  if (!text.ok()) return text.status();
  double n = 0;
  for (const std::string& line : Lines(*text)) {
    if (absl::StartsWith(line, "processor") && line.find(':') != std::string::npos) n += 1;
  }
  if (n == 0) return absl::DataLossError("/proc/cpuinfo: no processor entry");
  return n;
}

absl::StatusOr<double> MemTotalBytes() {
  absl::StatusOr<std::string> text = ReadFile("/proc/meminfo");
  if (!text.ok()) return text.status();
  for (const std::string& line : Lines(*text)) {
    std::vector<std::string> f = Fields(line);
    if (f.size() >= 2 && f[0] == "MemTotal:") {
      absl::StatusOr<double> kib = ToNumber("/proc/meminfo", f[1]);
      if (!kib.ok()) return kib.status();
      return *kib * 1024;
    }
  }
  return absl::DataLossError("/proc/meminfo: no MemTotal");
}

}  // namespace podagent::testing
