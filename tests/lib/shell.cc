#include "tests/lib/shell.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "runtime/process/run_command.h"

extern char** environ;

namespace podagent::testing {

absl::StatusOr<std::string> RunShell(const std::string& cmd) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "re");
  if (p == nullptr) return absl::InternalError("popen " + cmd);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = ::pclose(p);
  if (rc != 0) return absl::InternalError(absl::StrCat("command failed (status ", rc, "): ", cmd, ": ", out));
  return std::string(absl::StripAsciiWhitespace(out));
}

std::string Sh(std::vector<std::string> argv) {
  CommandOptions o;
  o.argv = std::move(argv);
  o.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  o.timeout = absl::Seconds(30);
  auto r = RunCommand(o);
  if (!r.ok()) return "<" + std::string(r.status().message()) + ">";
  if (r->exit_code != 0) return absl::StrCat("<exit ", r->exit_code, ": ", r->err, ">");
  return std::string(absl::StripAsciiWhitespace(r->out));
}

CommandResult RunArgv(std::vector<std::string> argv) {
  CommandOptions o;
  o.argv = std::move(argv);
  for (char** e = environ; *e != nullptr; ++e) o.env.emplace_back(*e);
  o.timeout = absl::Seconds(120);
  auto r = RunCommand(o);
  if (r.ok()) return *std::move(r);
  CommandResult failed;
  failed.err = std::string(r.status().message());
  return failed;
}

}  // namespace podagent::testing
