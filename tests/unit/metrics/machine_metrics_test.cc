#include "metrics/machine_metrics.h"

#include <gtest/gtest.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "prometheus/text_serializer.h"
#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

// Two logical CPUs as x86 /proc/cpuinfo lists them (one block per CPU, "processor\t: N").
const char kCpuinfo[] =
    "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Xeon\ncore id\t\t: 0\n\n"
    "processor\t: 1\nvendor_id\t: GenuineIntel\nmodel name\t: Xeon\ncore id\t\t: 0\n\n";
const char kMeminfo[] = "MemTotal:        4028440 kB\nMemFree:          123456 kB\nMemAvailable:    2000000 kB\n";

TEST(MachineMetrics, ParsesCpuinfoAndMeminfo) {
  EXPECT_EQ(ParseCpuinfoProcessors(kCpuinfo), 2u);
  EXPECT_FALSE(ParseCpuinfoProcessors("model name : x\n"));
  EXPECT_EQ(ParseMemTotal(kMeminfo), 4028440ull * 1024);
  EXPECT_FALSE(ParseMemTotal("MemFree: 1 kB\n"));
  EXPECT_FALSE(ParseMemTotal("MemTotal: lots\n"));
}

TEST(MachineMetrics, CollectorCarriesCadvisorNamesAndLabels) {
  testing::TempDir t("podagent-machine");
  MachineRoots roots{t / "proc", t / "sys", t.path()};
  ASSERT_TRUE(MakeDirs(t / "proc/sys/kernel/random").ok());
  ASSERT_TRUE(MakeDirs(t / "etc").ok());
  ASSERT_TRUE(WriteFileAtomic(t / "proc/cpuinfo", kCpuinfo).ok());
  ASSERT_TRUE(WriteFileAtomic(t / "proc/meminfo", kMeminfo).ok());
  ASSERT_TRUE(WriteFileAtomic(t / "proc/sys/kernel/random/boot_id", "b1\n").ok());
  ASSERT_TRUE(WriteFileAtomic(t / "etc/machine-id", "m1\n").ok());
  std::string text = prometheus::TextSerializer().Serialize(MachineCollector(roots).Collect());
  // No DMI in this tree: system_uuid is "" (as cAdvisor when it cannot read it).
  EXPECT_NE(text.find("machine_cpu_cores{boot_id=\"b1\",machine_id=\"m1\",system_uuid=\"\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("machine_memory_bytes{boot_id=\"b1\",machine_id=\"m1\",system_uuid=\"\"} 4125122560\n"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE machine_cpu_cores gauge"), std::string::npos);
  EXPECT_NE(text.find("# TYPE machine_memory_bytes gauge"), std::string::npos);
}

// This machine, against the kernel's figures through other interfaces: the online CPU count
// (glibc reads /sys/devices/system/cpu/online) and sysinfo(2)'s total RAM, both MemTotal's source.
TEST(MachineMetrics, ReadsThisMachine) {
  MachineInfo m = ReadMachineInfo(MachineRoots{});
  long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  ASSERT_GT(online, 0);
  EXPECT_EQ(m.cpu_cores, static_cast<uint64_t>(online));
  struct sysinfo si {};
  ASSERT_EQ(::sysinfo(&si), 0);
  EXPECT_EQ(m.memory_bytes, static_cast<uint64_t>(si.totalram) * si.mem_unit);
  EXPECT_FALSE(m.boot_id.empty());  // /proc/sys/kernel/random/boot_id is always there
}

// The files are read once, when the collector is made: a scrape reads nothing (cAdvisor reads
// its machine info at start too). Changed or removed files do not change what is served.
TEST(MachineMetrics, ReadOnceAtStartNotAtEveryScrape) {
  testing::TempDir t("podagent-machine");
  MachineRoots roots{t / "proc", t / "sys", t.path()};
  ASSERT_TRUE(MakeDirs(t / "proc").ok());
  ASSERT_TRUE(WriteFileAtomic(t / "proc/cpuinfo", kCpuinfo).ok());
  ASSERT_TRUE(WriteFileAtomic(t / "proc/meminfo", kMeminfo).ok());
  MachineCollector collector(roots);
  std::string first = prometheus::TextSerializer().Serialize(collector.Collect());
  ASSERT_NE(first.find("machine_cpu_cores{"), std::string::npos) << first;
  ASSERT_TRUE(WriteFileAtomic(t / "proc/cpuinfo", "processor : 0\n").ok());
  ASSERT_TRUE(RemoveTree(t / "proc/meminfo").ok());
  EXPECT_EQ(prometheus::TextSerializer().Serialize(collector.Collect()), first);
}

TEST(MachineMetrics, NothingWhenTheFilesAreMissing) {
  EXPECT_TRUE(MachineCollector(MachineRoots{"/nonexistent", "/nonexistent", "/nonexistent"}).Collect().empty());
}

}  // namespace
}  // namespace podagent
