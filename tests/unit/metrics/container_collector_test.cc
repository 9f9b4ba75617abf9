#include "metrics/container_collector.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <set>
#include <tuple>

#include "metrics/text_writer.h"
#include "prometheus/text_serializer.h"
#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"
#include "tests/unit/metrics/fake_workload.h"
#include "tests/unit/metrics/fixture.h"

namespace podagent {
namespace {

using testing::CgroupFixture;
using testing::SourceDir;
using testing::FakeWorkload;
using testing::FixtureContainer;
using testing::FixturePod;

std::string Scrape(const prometheus::Collectable& c) {
  return prometheus::TextSerializer().Serialize(c.Collect());
}

const char kCtrLabels[] =
    "container=\"nginx\",id=\"/podagent/podaaa/ctr1\",image=\"docker.io/library/nginx:1.25\",name=\"ctr1\","
    "namespace=\"default\",pod=\"web\"";
const char kPodLabels[] = "container=\"\",id=\"/podagent/podaaa\",image=\"\",name=\"\",namespace=\"default\",pod=\"web\"";

class CollectorTest : public ::testing::Test {
 protected:
  // No /sys by default: block devices stay unnamed whatever this machine has.
  void Use(const std::string& tree, bool v2, const std::string& proc_root = "/proc",
           const std::string& sys_root = "/nonexistent") {
    reader_ = std::make_unique<WorkloadStatsReader>(
        v2 ? CgroupLayout::V2(CgroupFixture(tree)) : CgroupLayout::V1(CgroupFixture(tree)), nullptr, proc_root,
        sys_root);
    collector_ = std::make_unique<ContainerCollector>(workload_, *reader_,
                                                      [] { return absl::FromUnixSeconds(1700000100); });
  }
  // Value of the series whose name and labels are `series` (-1 when absent).
  double Value(const std::string& text, const std::string& series) {
    size_t at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 2));
  }
  bool Has(const std::string& text, const std::string& series) {
    return text.find("\n" + series + "\n") != std::string::npos;
  }
  FakeWorkload workload_;
  std::unique_ptr<WorkloadStatsReader> reader_;
  std::unique_ptr<ContainerCollector> collector_;
};

TEST_F(CollectorTest, V1ContainerSeriesCarryCadvisorNamesAndLabels) {
  workload_.pods = {FixturePod()};
  workload_.containers = {FixtureContainer()};
  Use("v1", false);
  std::string text = Scrape(*collector_);
  std::string l = kCtrLabels;
  EXPECT_TRUE(Has(text, "container_cpu_usage_seconds_total{" + l + ",cpu=\"total\"} 1.5")) << text;
  EXPECT_TRUE(Has(text, "container_cpu_cfs_periods_total{" + l + "} 40"));
  EXPECT_TRUE(Has(text, "container_cpu_cfs_throttled_periods_total{" + l + "} 7"));
  EXPECT_TRUE(Has(text, "container_cpu_cfs_throttled_seconds_total{" + l + "} 0.35"));
  EXPECT_TRUE(Has(text, "container_memory_usage_bytes{" + l + "} 104857600"));
  EXPECT_TRUE(Has(text, "container_memory_working_set_bytes{" + l + "} 94371840"));
  EXPECT_TRUE(Has(text, "container_memory_rss{" + l + "} 62914560"));
  EXPECT_TRUE(Has(text, "container_memory_cache{" + l + "} 20971520"));
  EXPECT_TRUE(Has(text, "container_memory_swap{" + l + "} 4096"));
  EXPECT_TRUE(Has(text, "container_memory_failcnt{" + l + "} 3"));
  EXPECT_TRUE(Has(text, "container_memory_max_usage_bytes{" + l + "} 209715200"));
  EXPECT_TRUE(Has(text, "container_oom_events_total{" + l + "} 2"));
  EXPECT_TRUE(Has(text, "container_spec_memory_limit_bytes{" + l + "} 268435456"));
  EXPECT_TRUE(Has(text, "container_memory_mapped_file{" + l + "} 8388608"));
  EXPECT_TRUE(Has(text, "container_memory_kernel_usage{" + l + "} 3145728"));
  EXPECT_TRUE(Has(text, "container_spec_memory_reservation_limit_bytes{" + l + "} 134217728"));
  EXPECT_TRUE(Has(text, "container_spec_memory_swap_limit_bytes{" + l + "} 536870912"));
  EXPECT_TRUE(Has(text, "container_spec_cpu_shares{" + l + "} 512"));
  EXPECT_TRUE(Has(text, "container_spec_cpu_quota{" + l + "} 50000"));
  EXPECT_TRUE(Has(text, "container_spec_cpu_period{" + l + "} 100000"));
  EXPECT_TRUE(Has(text, "container_processes{" + l + "} 3"));
  EXPECT_TRUE(Has(text, "container_threads{" + l + "} 5"));
  EXPECT_TRUE(Has(text, "container_start_time_seconds{" + l + "} 1700000010"));
  EXPECT_NE(text.find("# TYPE container_cpu_usage_seconds_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE container_memory_working_set_bytes gauge"), std::string::npos);
  // The pod cgroup: container="", quota unset (-1) so no quota/period series.
  std::string p = kPodLabels;
  EXPECT_TRUE(Has(text, "container_memory_usage_bytes{" + p + "} 120000000"));
  EXPECT_TRUE(Has(text, "container_cpu_usage_seconds_total{" + p + ",cpu=\"total\"} 2"));
  EXPECT_EQ(text.find("container_spec_cpu_quota{" + p), std::string::npos);
  // v1's "unlimited" is the page-counter maximum, which cAdvisor reports as 0 (above 2^62); a
  // missing memsw file (swap accounting off) reads as 0 too.
  EXPECT_TRUE(Has(text, "container_spec_memory_limit_bytes{" + p + "} 0")) << text;
  EXPECT_TRUE(Has(text, "container_spec_memory_reservation_limit_bytes{" + p + "} 0"));
  EXPECT_TRUE(Has(text, "container_spec_memory_swap_limit_bytes{" + p + "} 0"));
  EXPECT_NE(text.find("# TYPE container_spec_memory_swap_limit_bytes gauge"), std::string::npos);
  EXPECT_NE(text.find("# TYPE container_memory_mapped_file gauge"), std::string::npos);
  // No PSI in v1, user labels never become metric labels.
  EXPECT_EQ(text.find("container_pressure"), std::string::npos);
  EXPECT_EQ(text.find("tier"), std::string::npos);
  EXPECT_EQ(text.find("app="), std::string::npos);
}

TEST_F(CollectorTest, V2SeriesIncludePressure) {
  workload_.pods = {FixturePod()};
  workload_.containers = {FixtureContainer()};
  Use("v2", true);
  std::string text = Scrape(*collector_);
  std::string l = kCtrLabels;
  EXPECT_TRUE(Has(text, "container_cpu_user_seconds_total{" + l + "} 1.2"));
  EXPECT_TRUE(Has(text, "container_cpu_system_seconds_total{" + l + "} 0.3"));
  EXPECT_TRUE(Has(text, "container_memory_working_set_bytes{" + l + "} 94371840"));
  EXPECT_TRUE(Has(text, "container_pressure_cpu_waiting_seconds_total{" + l + "} 0.001234"));
  EXPECT_TRUE(Has(text, "container_pressure_cpu_stalled_seconds_total{" + l + "} 0.000567"));
  EXPECT_DOUBLE_EQ(Value(text, "container_pressure_memory_waiting_seconds_total{" + l + "}"), 89e-6);
  EXPECT_DOUBLE_EQ(Value(text, "container_pressure_memory_stalled_seconds_total{" + l + "}"), 10e-6);
  EXPECT_TRUE(Has(text, "container_pressure_io_waiting_seconds_total{" + l + "} 0.002"));
  EXPECT_TRUE(Has(text, "container_pressure_io_stalled_seconds_total{" + l + "} 0.001"));
  EXPECT_TRUE(Has(text, "container_memory_mapped_file{" + l + "} 8388608"));
  EXPECT_TRUE(Has(text, "container_memory_kernel_usage{" + l + "} 3145728"));
  EXPECT_TRUE(Has(text, "container_spec_memory_reservation_limit_bytes{" + l + "} 134217728"));
  EXPECT_TRUE(Has(text, "container_spec_memory_swap_limit_bytes{" + l + "} 268435456"));
  std::string p = kPodLabels;
  EXPECT_TRUE(Has(text, "container_spec_memory_limit_bytes{" + p + "} 0"));  // "max"
  EXPECT_TRUE(Has(text, "container_spec_memory_swap_limit_bytes{" + p + "} 0"));  // "max", as cAdvisor
  EXPECT_TRUE(Has(text, "container_spec_memory_reservation_limit_bytes{" + p + "} 0"));
  EXPECT_TRUE(Has(text, "container_pressure_cpu_waiting_seconds_total{" + p + "} 7.7e-05"));
  EXPECT_EQ(text.find("container_pressure_cpu_stalled_seconds_total{" + p), std::string::npos);
}

TEST_F(CollectorTest, RemovedContainersVanishAndMissingCgroupsEmitNothing) {
  workload_.pods = {FixturePod()};
  workload_.containers = {FixtureContainer()};
  Use("v1", false);
  EXPECT_NE(Scrape(*collector_).find("name=\"ctr1\""), std::string::npos);
  workload_.containers[0].cgroup_path = "/podagent/podaaa/gone";
  EXPECT_EQ(Scrape(*collector_).find("name=\"ctr1\""), std::string::npos);
  workload_.containers.clear();
  workload_.pods.clear();
  EXPECT_EQ(Scrape(*collector_), "");
}

// The pod's network counters come from its pause's /proc/PID/net/dev: tests/fixtures/proc has a
// pause (4242) with lo, net1 and eth0. Every interface but lo is a series with the kernel's counts.
TEST_F(CollectorTest, WritableLayerAndNetworkOfThePause) {
  PodSnapshot pod = FixturePod();
  pod.pause_pid = 4242;
  ContainerSnapshot c = FixtureContainer();
  c.upper_dir = CgroupFixture("v1");  // any directory: its du is > 0
  workload_.pods = {pod};
  workload_.containers = {c};
  Use("v1", false, SourceDir() + "/tests/fixtures/proc");
  std::string text = Scrape(*collector_);
  EXPECT_NE(text.find(std::string("container_fs_usage_bytes{") + kCtrLabels + ",device=\""), std::string::npos);
  auto series = [](const std::string& name, const std::string& iface) {
    return name + "{" + kPodLabels + ",interface=\"" + iface + "\"}";
  };
  EXPECT_EQ(Value(text, series("container_network_receive_bytes_total", "eth0")), 1398836) << text;
  EXPECT_EQ(Value(text, series("container_network_receive_packets_total", "eth0")), 2690);
  EXPECT_EQ(Value(text, series("container_network_receive_errors_total", "eth0")), 1);
  EXPECT_EQ(Value(text, series("container_network_transmit_bytes_total", "eth0")), 110419);
  EXPECT_EQ(Value(text, series("container_network_transmit_packets_total", "eth0")), 1479);
  EXPECT_EQ(Value(text, series("container_network_transmit_errors_total", "eth0")), 3);
  // The "drop" columns (4th of receive, 4th of transmit), not the "fifo" ones beside them.
  EXPECT_EQ(Value(text, series("container_network_receive_packets_dropped_total", "eth0")), 2);
  EXPECT_EQ(Value(text, series("container_network_transmit_packets_dropped_total", "eth0")), 4);
  EXPECT_EQ(Value(text, series("container_network_receive_packets_dropped_total", "net1")), 1);
  EXPECT_EQ(Value(text, series("container_network_transmit_packets_dropped_total", "net1")), 0);
  EXPECT_NE(text.find("# TYPE container_network_receive_packets_dropped_total counter"), std::string::npos);
  EXPECT_EQ(Value(text, series("container_network_receive_bytes_total", "net1")), 5120);
  EXPECT_EQ(Value(text, series("container_network_transmit_bytes_total", "net1")), 2048);
  EXPECT_EQ(text.find("interface=\"lo\""), std::string::npos) << "lo is not a pod interface (cAdvisor skips it)";
}

// Threads limit from pids.max, and the fds and sockets of the processes in ctr1's own cgroup.procs
// (101 and 102; 104 of the nested cgroup is not counted, as cAdvisor reads only the top file),
// from a /proc tree whose fd entries are symlinks with the kernel's link texts.
TEST_F(CollectorTest, ThreadsMaxFileDescriptorsAndSockets) {
  testing::TempDir proc("podagent-proc");
  auto fd = [&](int pid, int n, const std::string& target) {
    std::string dir = proc.path() + "/" + std::to_string(pid) + "/fd";
    ASSERT_TRUE(MakeDirs(dir).ok());
    ASSERT_EQ(::symlink(target.c_str(), (dir + "/" + std::to_string(n)).c_str()), 0);
  };
  fd(101, 0, "/dev/null");
  fd(101, 1, "socket:[10]");
  fd(102, 0, "socket:[11]");
  fd(102, 1, "pipe:[12]");
  fd(104, 0, "socket:[13]");
  workload_.pods = {FixturePod()};
  workload_.containers = {FixtureContainer()};
  for (bool v2 : {false, true}) {
    Use(v2 ? "v2" : "v1", v2, proc.path());
    std::string text = Scrape(*collector_);
    std::string l = kCtrLabels;
    EXPECT_TRUE(Has(text, "container_threads_max{" + l + "} 1024")) << text;
    EXPECT_TRUE(Has(text, "container_file_descriptors{" + l + "} 4")) << text;
    EXPECT_TRUE(Has(text, "container_sockets{" + l + "} 2"));
    EXPECT_NE(text.find("# TYPE container_file_descriptors gauge"), std::string::npos);
  }
  // v2 pod: pids.max "max" is 0 (cAdvisor: "infinity if value is zero").
  EXPECT_TRUE(Has(Scrape(*collector_), std::string("container_threads_max{") + kPodLabels + "} 0"));
}

// Disk IO per device, v1 (throttle layer) and v2 (io.stat) giving the same figures: 8:0 is named
// from the fake /sys, 254:0 is not there and has device="" (as cAdvisor for a device it cannot map).
TEST_F(CollectorTest, DiskIoPerDevice) {
  testing::TempDir sys("podagent-sys");
  ASSERT_TRUE(MakeDirs(sys / "dev/block/8:0").ok());
  ASSERT_TRUE(WriteFileAtomic(sys / "dev/block/8:0/uevent", "MAJOR=8\nMINOR=0\nDEVNAME=sda\n").ok());
  workload_.pods = {FixturePod()};
  workload_.containers = {FixtureContainer()};
  for (bool v2 : {false, true}) {
    Use(v2 ? "v2" : "v1", v2, "/proc", sys.path());
    std::string text = Scrape(*collector_);
    // (family, device label value, value): 8:0 named from the fake /sys, 254:0 unnamed.
    const std::tuple<const char*, const char*, const char*> expected[] = {
        {"container_fs_reads_bytes_total", "/dev/sda", "1048576"}, {"container_fs_writes_bytes_total", "/dev/sda", "2097152"},
        {"container_fs_reads_total", "/dev/sda", "256"},           {"container_fs_writes_total", "/dev/sda", "512"},
        {"container_fs_reads_bytes_total", "", "4096"},            {"container_fs_reads_total", "", "1"},
    };
    for (const auto& [family, device, value] : expected) {
      std::string series = std::string(family) + "{" + kCtrLabels + ",device=\"" + device + "\"} " + value;
      EXPECT_TRUE(Has(text, series)) << series << " in\n" << text;
    }
    std::string usage = std::string("container_blkio_device_usage_total{") + kCtrLabels +
                        ",device=\"/dev/sda\",major=\"8\",minor=\"0\",operation=";
    EXPECT_TRUE(Has(text, usage + "\"Read\"} 1048576"));
    EXPECT_TRUE(Has(text, usage + "\"Write\"} 2097152"));
    EXPECT_EQ(Has(text, usage + "\"Total\"} 3145728"), !v2);  // v2's io.stat has no Total
    EXPECT_NE(text.find("# TYPE container_fs_reads_total counter"), std::string::npos);
  }
}

// The endpoint's text (the direct writer) is what prometheus-cpp serialises from the same
// samples, byte for byte, on both fixtures with a network and a writable layer.
TEST_F(CollectorTest, AppendTextIsTheSerialisedFamilies) {
  for (bool v2 : {false, true}) {
    PodSnapshot pod = FixturePod();
    pod.pause_pid = 4242;
    ContainerSnapshot c = FixtureContainer();
    c.upper_dir = CgroupFixture("v1");
    workload_.pods = {pod};
    workload_.containers = {c};
    Use(v2 ? "v2" : "v1", v2, SourceDir() + "/tests/fixtures/proc");
    // One reading for both (the filesystem's free inodes move between two reads).
    std::vector<MetricSample> samples = WorkloadSamples(
        reader_->ReadAll(workload_, absl::FromUnixSeconds(1700000100), ReadDepth::kMetrics));
    std::string direct;
    AppendSamplesText(samples, direct);
    EXPECT_GT(direct.size(), 1000u);
    EXPECT_EQ(direct, prometheus::TextSerializer().Serialize(ToFamilies(samples))) << (v2 ? "v2" : "v1");
    std::string served;
    collector_->AppendText(served);
    EXPECT_NE(served.find("\ncontainer_fs_inodes_free{" + std::string(kCtrLabels) + ",device=\""), std::string::npos);
  }
}

// ReadAll shares the pods between two threads from 8 pods on: every pod still comes back once,
// in the source's order, with its own containers read.
TEST_F(CollectorTest, ReadAllOnTwoThreadsKeepsEveryPodInOrder) {
  for (int i = 0; i < 40; ++i) {
    PodSnapshot pod = FixturePod();
    pod.id = "pod" + std::to_string(i);
    pod.name = "web" + std::to_string(i);
    ContainerSnapshot c = FixtureContainer();
    c.id = "ctr" + std::to_string(i);
    c.pod_id = pod.id;
    workload_.pods.push_back(pod);
    workload_.containers.push_back(c);
    if (i % 2 == 0) {
      c.id += "b";
      workload_.containers.push_back(c);
    }
  }
  Use("v1", false);
  std::vector<PodReading> r = reader_->ReadAll(workload_, absl::FromUnixSeconds(1700000100), ReadDepth::kMetrics);
  ASSERT_EQ(r.size(), 40u);
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(r[i].pod.id, "pod" + std::to_string(i));
    EXPECT_TRUE(r[i].cgroup_found) << i;
    ASSERT_EQ(r[i].containers.size(), i % 2 == 0 ? 2u : 1u) << i;
    EXPECT_EQ(r[i].containers[0].container.id, "ctr" + std::to_string(i));
    EXPECT_TRUE(r[i].containers[0].cgroup_found) << i;
    EXPECT_EQ(r[i].containers[0].stats.cpu.usage_ns, std::optional<uint64_t>(1500000000)) << i;
  }
}

// ReadContainers (ListContainerStats) shares the containers between two threads from 8 on: each
// comes back once, in the given order, with the figures a one-by-one ReadContainer gives.
TEST_F(CollectorTest, ReadContainersOnTwoThreadsKeepsEveryContainerInOrder) {
  std::vector<ContainerSnapshot> cs;
  for (int i = 0; i < 41; ++i) {
    ContainerSnapshot c = FixtureContainer();
    c.id = "ctr" + std::to_string(i);
    if (i % 3 == 0) c.cgroup_path += "-gone";  // some without a cgroup, so the readings differ
    cs.push_back(c);
  }
  Use("v1", false);
  absl::Time now = absl::FromUnixSeconds(1700000100);
  std::vector<ContainerReading> r = reader_->ReadContainers(cs, now, ReadDepth::kCriContainer);
  ASSERT_EQ(r.size(), cs.size());
  for (size_t i = 0; i < cs.size(); ++i) {
    ContainerReading one = reader_->ReadContainer(cs[i], now, ReadDepth::kCriContainer);
    EXPECT_EQ(r[i].container.id, cs[i].id);
    EXPECT_EQ(r[i].cgroup_found, i % 3 != 0) << i;
    EXPECT_EQ(r[i].cgroup_found, one.cgroup_found) << i;
    EXPECT_EQ(r[i].stats.cpu.usage_ns, one.stats.cpu.usage_ns) << i;
    EXPECT_EQ(r[i].stats.memory.usage, one.stats.memory.usage) << i;
  }
}

TEST(MetricDefs, NamesAreUniqueAndCountersEndInTotal) {
  std::set<std::string> names;
  for (const MetricDef& d : ContainerMetricDefs()) {
    EXPECT_TRUE(names.insert(d.name).second) << d.name;
    if (d.counter && d.name != "container_memory_failcnt") {
      EXPECT_TRUE(d.name.ends_with("_total")) << d.name;
    }
    EXPECT_EQ(FindMetricDef(d.name), &d);
  }
  EXPECT_EQ(names.size(), 54u);
}

}  // namespace
}  // namespace podagent
