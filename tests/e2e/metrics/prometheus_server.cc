#include "tests/e2e/metrics/prometheus_server.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "tests/lib/test_daemon.h"

namespace podagent::testing {
namespace {

std::string UrlEncode(const std::string& s) {
  CURL* curl = curl_easy_init();
  char* e = curl_easy_escape(curl, s.c_str(), static_cast<int>(s.size()));
  std::string out = e;
  curl_free(e);
  curl_easy_cleanup(curl);
  return out;
}

// SIGTERM, then SIGKILL after `grace`; reaps.
void StopPid(pid_t pid, absl::Duration grace) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  absl::Time deadline = absl::Now() + grace;
  while (absl::Now() < deadline) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

}  // namespace

absl::StatusOr<std::unique_ptr<PrometheusServer>> PrometheusServer::Start(const std::string& dir,
                                                                          const std::string& target) {
  std::string config = absl::StrCat(
      "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
      "scrape_configs:\n  - job_name: podagent\n    scrape_timeout: 1s\n    static_configs:\n"
      "      - targets: [\"", target, "\"]\n");
  return StartWithConfig(dir, config);
}

absl::StatusOr<std::unique_ptr<PrometheusServer>> PrometheusServer::StartWithConfig(const std::string& dir,
                                                                                    const std::string& config) {
  std::unique_ptr<PrometheusServer> s(new PrometheusServer());
  s->dir_ = dir;
  s->addr_ = absl::StrCat("127.0.0.1:", FreeLoopbackPort());
  RETURN_IF_ERROR(MakeDirs(dir + "/data"));
  RETURN_IF_ERROR(WriteFileAtomic(dir + "/prometheus.yml", config));
  std::string log = dir + "/prometheus.log";
  std::vector<std::string> args = {"/usr/bin/prometheus",
                                   "--config.file=" + dir + "/prometheus.yml",
                                   "--storage.tsdb.path=" + dir + "/data",
                                   "--web.listen-address=" + s->addr_,
                                   "--log.level=warn"};
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  if (pid < 0) return absl::InternalError("fork for prometheus failed");
  s->pid_ = pid;
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    if (HttpGet(absl::StrCat("http://", s->addr_, "/-/ready")).ok()) return s;
    if (::waitpid(pid, nullptr, WNOHANG) == pid) {
      s->pid_ = -1;
      return absl::UnavailableError(absl::StrCat("prometheus exited at start: ", s->Log()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return absl::DeadlineExceededError(absl::StrCat("prometheus not ready on ", s->addr_, " after 30s: ", s->Log()));
}

PrometheusServer::~PrometheusServer() { StopPid(pid_, absl::Seconds(10)); }

std::string PrometheusServer::Log() const {
  auto log = ReadFile(dir_ + "/prometheus.log");
  return log.ok() ? *log : std::string(log.status().message());
}

absl::StatusOr<nlohmann::json> PrometheusServer::Query(const std::string& promql) {
  ASSIGN_OR_RETURN(std::string body, HttpGet(absl::StrCat("http://", addr_, "/api/v1/query?query=", UrlEncode(promql))));
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || j.value("status", "") != "success") {
    return absl::InternalError(absl::StrCat("query ", promql, ": ", body));
  }
  return j["data"]["result"];
}

absl::StatusOr<double> PrometheusServer::WaitFor(const std::string& promql, const std::function<bool(double)>& ok,
                                                 absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  std::string last = "no answer";
  while (absl::Now() < deadline) {
    absl::StatusOr<nlohmann::json> r = Query(promql);
    if (r.ok() && !r->empty()) {
      double v = std::stod((*r)[0]["value"][1].get<std::string>());
      if (ok(v)) return v;
      last = r->dump();
    } else {
      last = r.ok() ? "empty result" : std::string(r.status().message());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return absl::DeadlineExceededError(absl::StrCat("query ", promql, " after ", absl::FormatDuration(timeout), ": ",
                                                  last));
}

}  // namespace podagent::testing
