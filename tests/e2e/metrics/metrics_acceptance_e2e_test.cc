// e2e acceptance of issue #17 (cAdvisor parity): the real daemon, a pod on the shipped CNI bridge
// with one busybox container doing disk and network IO, and Debian's Prometheus scraping the daemon
// with the DEPLOYED scrape config (deploy/prometheus/prometheus.yml; only its targets and intervals
// rewritten). Every family of the issue is asked for with a PromQL query in the kubernetes-mixin
// dashboards' shape (job="kubelet", metrics_path="/metrics/cadvisor", summed by pod,
// container!="", image!="") and compared with what the test moved or with the kernel's own files.
// tests/e2e/metrics/README.md lists the queries.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "runtime/common/unique_fd.h"
#include "tests/e2e/metrics/deployed_scrape_config.h"
#include "tests/e2e/metrics/kernel_truth.h"
#include "tests/e2e/metrics/prometheus_server.h"
#include "tests/lib/cni_e2e.h"
#include "tests/lib/http_get.h"
#include "tests/lib/paths.h"

namespace podagent::testing {
namespace {

namespace cri = ::runtime::v1;

constexpr char kImage[] = "metrics-e2e/busybox:1";
constexpr char kNamespace[] = "podagent-test";  // MakePodConfig's
constexpr char kPod[] = "io";
constexpr char kContainer[] = "io";
constexpr int kPort = 5001;
constexpr double kMiB = 1 << 20;
constexpr int kNetMiB = 8;
constexpr int kDiskMiB = 16;
// The kubernetes-mixin's device selector (dashboards/resources: storage IO panels).
constexpr char kDevice[] = R"(device=~"(/dev.+)|mmcblk.+|nvme.+|rbd.+|sd.+|vd.+|xvd.+|dm-.+|dasd.+")";

bool Near(double v, double truth, double rel) { return std::abs(v - truth) <= rel * std::abs(truth); }

// Connects to ip:port (retrying for `timeout`: the listener comes up once dd is done) and writes
// `bytes` zeros; an error if it could not.
absl::Status SendBytes(const std::string& ip, int port, size_t bytes, absl::Duration timeout) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, ip.c_str(), &a.sin_addr) != 1) return absl::InvalidArgumentError("pod ip " + ip);
  absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.Valid()) return absl::InternalError("socket");
    if (::connect(fd.Get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0) {
      std::string chunk(64 << 10, '\0');
      for (size_t sent = 0; sent < bytes;) {
        ssize_t n = ::send(fd.Get(), chunk.data(), std::min(chunk.size(), bytes - sent), MSG_NOSIGNAL);
        if (n <= 0) return absl::InternalError(absl::StrCat("send to ", ip, " after ", sent, " bytes"));
        sent += static_cast<size_t>(n);
      }
      ::shutdown(fd.Get(), SHUT_WR);
      char c;
      (void)::recv(fd.Get(), &c, 1, 0);  // nc closes after reading everything
      return absl::OkStatus();
    }
    if (absl::Now() > deadline) return absl::DeadlineExceededError(absl::StrCat("connect ", ip, ":", port));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

class MetricsAcceptanceE2E : public CniDaemonTest {
 protected:
  MetricsAcceptanceE2E() : CniDaemonTest("podagent-mete2e", 200) {
    metrics_addr_ = absl::StrCat("127.0.0.1:", FreeLoopbackPort());
    // Values read every second (the housekeeping cache), as often as the test's Prometheus scrapes.
    extra_yaml_ = absl::StrCat("metrics:\n  listen: \"", metrics_addr_, "\"\n  housekeeping_seconds: 1\n");
  }
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(CniDaemonTest::SetUp());
    ASSERT_NO_FATAL_FAILURE(ImportBusybox(kImage));
    auto config = DeployedScrapeConfig(SourceDir() + "/deploy/prometheus/prometheus.yml", metrics_addr_);
    ASSERT_TRUE(config.ok()) << config.status();
    auto prom = PrometheusServer::StartWithConfig(daemon_->dir().Sub("prometheus"), *config);
    ASSERT_TRUE(prom.ok()) << prom.status();
    prom_ = std::move(*prom);
  }
  void TearDown() override {
    prom_.reset();
    CniDaemonTest::TearDown();
  }

  // The pod and its container: dd writes kDiskMiB with O_DIRECT to the rootfs, then nc listens
  // on kPort (again after each connection). Fills pod_ip_, id_ (the cgroup `id` label), pid_.
  void RunWorkload() {
    std::string pod = RunPod(MakePodConfig(kPod));
    ASSERT_FALSE(pod.empty());
    pod_ip_ = PodIp(pod);
    ASSERT_FALSE(pod_ip_.empty()) << "the pod has no IP on the bridge";
    std::string script = absl::StrCat("dd if=/dev/zero of=/written bs=1M count=", kDiskMiB,
                                      " oflag=direct || exit 3; while :; do nc -l -p ", kPort, " >/dev/null; done");
    std::string ctr = Run(pod, MakeContainerConfig(kContainer, kImage, {"sh", "-c", script}));
    ASSERT_FALSE(ctr.empty());
    pid_ = Pid(ctr);
    ASSERT_GT(pid_, 0);
    auto up = prom_->WaitFor(R"(up{job="kubelet",metrics_path="/metrics/cadvisor"})", [](double v) { return v == 1; },
                             absl::Seconds(30));
    ASSERT_TRUE(up.ok()) << up.status() << "\n" << prom_->Log();
    auto r = prom_->WaitFor(Q("container_memory_usage_bytes", "container!=\"\""), [](double v) { return v > 0; },
                            absl::Seconds(30));
    ASSERT_TRUE(r.ok()) << r.status();
    auto series = prom_->Query("container_memory_usage_bytes" + Sel(absl::StrCat("container=\"", kContainer, "\"")));
    ASSERT_TRUE(series.ok() && !series->empty()) << series.status();
    id_ = (*series)[0]["metric"].value("id", "");
    ASSERT_FALSE(id_.empty());
  }
  std::string PodIp(const std::string& pod) {
    cri::PodSandboxStatusResponse r;
    grpc::Status st = client_->PodStatus(pod, false, &r);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return r.status().network().ip();
  }

  // `family` with the mixin's selector for this pod, plus `extra` matchers.
  static std::string Sel(const std::string& extra) {
    return absl::StrCat(R"({job="kubelet",metrics_path="/metrics/cadvisor",namespace=")", kNamespace, R"(",pod=")",
                        kPod, "\"", extra.empty() ? "" : ",", extra, "}");
  }
  static std::string Q(const std::string& family, const std::string& extra) {
    return absl::StrCat("sum by (pod) (", family, Sel(extra), ")");
  }
  static std::string Ctr() { return R"(container!="",image!="")"; }

  // Waits until the query's value matches the kernel's figure read by `truth` at the same poll.
  void ExpectMatches(const std::string& promql, const std::function<absl::StatusOr<double>()>& truth, double rel,
                     absl::Duration timeout = absl::Seconds(20)) {
    std::string last_truth = "not read";
    auto v = prom_->WaitFor(
        promql,
        [&](double got) {
          absl::StatusOr<double> t = truth();
          last_truth = t.ok() ? absl::StrCat(*t) : t.status().ToString();
          return t.ok() && (rel == 0 ? got == *t : Near(got, *t, rel));
        },
        timeout);
    EXPECT_TRUE(v.ok()) << v.status() << "; kernel: " << last_truth;
  }
  void ExpectAbsent(const std::string& promql) {
    auto r = prom_->Query(promql);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(r->empty()) << promql << ": " << r->dump();
  }
  std::string File(const std::string& v1_controller, const std::string& name) const {
    return CgroupFile(id_, v1_controller, name);
  }

  std::string metrics_addr_, pod_ip_, id_;
  int pid_ = 0;
  std::unique_ptr<PrometheusServer> prom_;
};

// The deployed config's two jobs: the cAdvisor families only under job="kubelet" (served on
// /metrics/cadvisor), podagent's own only under job="podagent", no series stored twice.
TEST_F(MetricsAcceptanceE2E, DeployedConfigStoresEachSeriesUnderOneJob) {
  for (const char* job : {"kubelet", "podagent"}) {
    auto up = prom_->WaitFor(absl::StrCat("up{job=\"", job, "\"}"), [](double v) { return v == 1; },
                             absl::Seconds(30));
    ASSERT_TRUE(up.ok()) << up.status() << "\n" << prom_->Log();
  }
  auto cores = prom_->WaitFor(R"(machine_cpu_cores{job="kubelet",metrics_path="/metrics/cadvisor"})",
                              [](double v) { return v >= 1; }, absl::Seconds(10));
  EXPECT_TRUE(cores.ok()) << cores.status();
  auto info = prom_->WaitFor(R"(podagent_build_info{job="podagent"})", [](double v) { return v == 1; },
                             absl::Seconds(10));
  EXPECT_TRUE(info.ok()) << info.status();
  // A few more scrapes of both jobs, then nothing of one job's families under the other.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  ExpectAbsent(R"(count by (__name__) ({job="podagent",__name__=~"(container|machine)_.+"}))");
  ExpectAbsent(R"(count by (__name__) ({job="kubelet",__name__=~"podagent_.+"}))");
}

TEST_F(MetricsAcceptanceE2E, NetworkBytesAreWhatTheTestSentAndDropsAreTheKernels) {
  ASSERT_NO_FATAL_FAILURE(RunWorkload());
  // Dropped packets: the rate exists (>= 0) and the counters are /proc/<pid>/net/dev's drop columns.
  for (const char* dir : {"receive", "transmit"}) {
    std::string family = absl::StrCat("container_network_", dir, "_packets_dropped_total");
    auto r = prom_->WaitFor("sum by (pod) (rate(" + family + Sel("") + "[30s]))", [](double v) { return v >= 0; },
                            absl::Seconds(10));
    EXPECT_TRUE(r.ok()) << r.status();
    int column = std::string(dir) == "receive" ? 3 : 11;
    ExpectMatches(Q(family, R"(interface="eth0")"), [&] { return NetDevColumn(pid_, "eth0", column); }, 0);
  }
  const std::string rx = Q("container_network_receive_bytes_total", R"(interface="eth0")");
  auto before = prom_->WaitFor(rx, [](double v) { return v >= 0; }, absl::Seconds(20));
  ASSERT_TRUE(before.ok()) << before.status();
  absl::Status sent = SendBytes(pod_ip_, kPort, kNetMiB * static_cast<size_t>(kMiB), absl::Seconds(60));
  ASSERT_TRUE(sent.ok()) << sent;
  // The counter's delta between two instant queries: payload plus TCP/IP headers, within 10 %.
  const double moved = kNetMiB * kMiB;
  auto after = prom_->WaitFor(rx, [&](double v) { return v - *before >= moved; }, absl::Seconds(20));
  ASSERT_TRUE(after.ok()) << after.status() << " (before: " << *before << ")";
  EXPECT_TRUE(Near(*after - *before, moved, 0.10)) << "received " << *after - *before << " for " << moved << " sent";
  std::fprintf(stderr, "network: sent %.0f bytes, container_network_receive_bytes_total moved %.0f\n", moved,
               *after - *before);
  // The Networking / Pod panel's shape: a rate summed by pod.
  auto rate = prom_->WaitFor("sum by (pod) (rate(container_network_receive_bytes_total" + Sel("") + "[30s]))",
                             [](double v) { return v > 0; }, absl::Seconds(10));
  EXPECT_TRUE(rate.ok()) << rate.status();
}

TEST_F(MetricsAcceptanceE2E, DiskIoIsWhatTheKernelAccounts) {
  ASSERT_NO_FATAL_FAILURE(RunWorkload());
  // nc listening means dd is done.
  ASSERT_TRUE(SendBytes(pod_ip_, kPort, 1, absl::Seconds(60)).ok());
  const std::string wbytes = Q("container_fs_writes_bytes_total", Ctr() + "," + kDevice);
  const std::string rbytes = Q("container_fs_reads_bytes_total", Ctr() + "," + kDevice);
  const std::string wios = Q("container_fs_writes_total", Ctr() + "," + kDevice);
  const std::string rios = Q("container_fs_reads_total", Ctr() + "," + kDevice);
  const std::string usage_w = Q("container_blkio_device_usage_total", Ctr() + R"(,operation="Write")");
  if (CgroupIsV2()) {
    std::string io = File("", "io.stat");
    // What dd wrote, within 10 %, and what io.stat says.
    auto w = prom_->WaitFor(wbytes, [](double v) { return Near(v, kDiskMiB * kMiB, 0.10); }, absl::Seconds(20));
    EXPECT_TRUE(w.ok()) << w.status() << "; dd wrote " << kDiskMiB << " MiB";
    if (w.ok()) std::fprintf(stderr, "disk (v2): dd wrote %.0f bytes, fs_writes_bytes %.0f\n", kDiskMiB * kMiB, *w);
    ExpectMatches(wbytes, [&] { return IoStatSum(io, "wbytes"); }, 0.01);
    ExpectMatches(rbytes, [&] { return IoStatSum(io, "rbytes"); }, 0.01);
    ExpectMatches(wios, [&] { return IoStatSum(io, "wios"); }, 0.01);
    ExpectMatches(rios, [&] { return IoStatSum(io, "rios"); }, 0.01);
    ExpectMatches(usage_w, [&] { return IoStatSum(io, "wbytes"); }, 0.01);
    return;
  }
  // v1: the kernel accounts blkio.throttle.* only for throttled queues (docs/metrics.md); the
  // families are there exactly when the container's blkio files list a device.
  absl::StatusOr<double> kernel = -1.0;
  for (const char* f : {"blkio.bfq.io_service_bytes_recursive", "blkio.io_service_bytes_recursive",
                        "blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_service_bytes"}) {
    absl::StatusOr<double> v = BlkioSum(File("blkio", f), "Write");
    if (!v.ok() && absl::IsNotFound(v.status())) continue;  // file of an absent scheduler
    ASSERT_TRUE(v.ok()) << v.status();
    if (*v >= 0) {
      kernel = v;
      break;
    }
  }
  std::fprintf(stderr, "disk (v1): the blkio files' Write bytes: %.0f (-1: no device listed)\n", *kernel);
  if (*kernel < 0) {
    for (const std::string& q : {wbytes, rbytes, wios, rios, usage_w}) ExpectAbsent(q);
    return;
  }
  auto w = prom_->WaitFor(wbytes, [&](double v) { return Near(v, *kernel, 0.01); }, absl::Seconds(20));
  EXPECT_TRUE(w.ok()) << w.status() << "; kernel: " << *kernel;
}

TEST_F(MetricsAcceptanceE2E, MemoryProcessFsPsiAndMachineFamiliesAreTheKernels) {
  ASSERT_NO_FATAL_FAILURE(RunWorkload());
  ASSERT_TRUE(SendBytes(pod_ip_, kPort, 1, absl::Seconds(60)).ok());  // dd done, nc listening
  const bool v2 = CgroupIsV2();
  const std::string stat = File("memory", "memory.stat");
  ExpectMatches(Q("container_memory_mapped_file", Ctr()),
                [&] { return KeyedValue(stat, v2 ? "file_mapped" : "total_mapped_file"); }, 0.10);
  ExpectMatches(Q("container_memory_kernel_usage", Ctr()), [&] {
    return v2 ? KeyedValue(stat, "kernel") : LimitValue(File("memory", "memory.kmem.usage_in_bytes"));
  }, 0.10);
  ExpectMatches(Q("container_spec_memory_reservation_limit_bytes", Ctr()),
                [&] { return LimitValue(File("memory", v2 ? "memory.min" : "memory.soft_limit_in_bytes")); }, 0);
  ExpectMatches(Q("container_spec_memory_swap_limit_bytes", Ctr()), [&]() -> absl::StatusOr<double> {
    absl::StatusOr<double> v = LimitValue(File("memory", v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes"));
    if (!v2 && absl::IsNotFound(v.status())) return 0.0;  // v1 without swap accounting
    return v;
  }, 0);
  // Processes: sh and nc; nc's listening socket.
  const std::string procs = File(v2 ? "" : "pids", "cgroup.procs");
  ExpectMatches(Q("container_file_descriptors", Ctr()), [&]() -> absl::StatusOr<double> {
    auto n = CountFds(procs);
    if (!n.ok()) return n.status();
    return n->fds;
  }, 0);
  ExpectMatches(Q("container_sockets", Ctr()), [&]() -> absl::StatusOr<double> {
    auto n = CountFds(procs);
    if (!n.ok()) return n.status();
    if (n->sockets < 1) return absl::FailedPreconditionError("nc's listening socket is not there");
    return n->sockets;
  }, 0);
  ExpectMatches(Q("container_threads_max", Ctr()), [&] { return LimitValue(File("pids", "pids.max")); }, 0);
  // The writable layer holds what dd wrote.
  auto fs = prom_->WaitFor(Q("container_fs_usage_bytes", Ctr()),
                           [](double v) { return v >= kDiskMiB * kMiB && v < (kDiskMiB + 1) * kMiB; },
                           absl::Seconds(20));
  EXPECT_TRUE(fs.ok()) << fs.status();
  // PSI: v2 only, each counter no more than the kernel's total now.
  for (const char* res : {"cpu", "memory", "io"}) {
    for (const char* kind : {"waiting", "stalled"}) {
      std::string q = Q(absl::StrCat("container_pressure_", res, "_", kind, "_seconds_total"), Ctr());
      if (!v2) {
        ExpectAbsent(q);
        continue;
      }
      std::string file = File("", absl::StrCat(res, ".pressure"));
      std::string line = std::string(kind) == "waiting" ? "some" : "full";
      std::string last;
      auto v = prom_->WaitFor(q, [&](double got) {
        absl::StatusOr<double> t = PsiTotalSeconds(file, line);
        last = t.ok() ? absl::StrCat(*t) : t.status().ToString();
        return t.ok() && got >= 0 && got <= *t;
      }, absl::Seconds(20));
      EXPECT_TRUE(v.ok()) << v.status() << "; kernel: " << last;
    }
  }
  // The node: machine_* carry no container labels.
  const std::string node = R"({job="kubelet",metrics_path="/metrics/cadvisor"})";
  ExpectMatches("machine_cpu_cores" + node, CpuinfoProcessors, 0);
  ExpectMatches("machine_memory_bytes" + node, MemTotalBytes, 0);
}

// The families h/metfam adds (fails on a branch without them).
TEST_F(MetricsAcceptanceE2E, FsLimitInodesUlimitsTaskStatesAndLastSeen) {
  ASSERT_NO_FATAL_FAILURE(RunWorkload());
  ASSERT_TRUE(SendBytes(pod_ip_, kPort, 1, absl::Seconds(60)).ok());
  struct statvfs fs;
  ASSERT_EQ(::statvfs(daemon_->dir().path().c_str(), &fs), 0);  // the writable layers' file system
  double size = static_cast<double>(fs.f_blocks) * fs.f_frsize;
  auto limit = prom_->WaitFor(Q("container_fs_limit_bytes", Ctr()), [&](double v) { return v == size; },
                              absl::Seconds(20));
  EXPECT_TRUE(limit.ok()) << limit.status() << "; statvfs: " << size;
  auto total = prom_->WaitFor(Q("container_fs_inodes_total", Ctr()),
                              [&](double v) { return v == static_cast<double>(fs.f_files); }, absl::Seconds(10));
  EXPECT_TRUE(total.ok()) << total.status() << "; statvfs: " << fs.f_files;
  auto free = prom_->WaitFor(Q("container_fs_inodes_free", Ctr()),
                             [&](double v) { return Near(v, static_cast<double>(fs.f_ffree), 0.05); },
                             absl::Seconds(10));
  EXPECT_TRUE(free.ok()) << free.status() << "; statvfs: " << fs.f_ffree;
  ExpectMatches(Q("container_ulimits_soft", Ctr() + R"(,ulimit="max_open_files")"), [&]() -> absl::StatusOr<double> {
    struct rlimit rl;
    if (::prlimit(pid_, RLIMIT_NOFILE, nullptr, &rl) != 0) return absl::InternalError("prlimit");
    return static_cast<double>(rl.rlim_cur);
  }, 0);
  // sh and nc sleep.
  auto sleeping = prom_->WaitFor(Q("container_tasks_state", Ctr() + R"(,state="sleeping")"),
                                 [](double v) { return v >= 2; }, absl::Seconds(10));
  EXPECT_TRUE(sleeping.ok()) << sleeping.status();
  auto seen = prom_->WaitFor("max by (pod) (container_last_seen" + Sel(Ctr()) + ")", [](double v) {
    return std::abs(v - absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch())) < 30;
  }, absl::Seconds(10));
  EXPECT_TRUE(seen.ok()) << seen.status();
}

}  // namespace
}  // namespace podagent::testing
