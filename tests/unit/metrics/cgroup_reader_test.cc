#include "metrics/cgroup_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "metrics/stat_files.h"
#include "tests/unit/metrics/fixture.h"

namespace podagent {
namespace {

using testing::CgroupFixture;

const char kPod[] = "/podagent/podaaa";
const char kCtr[] = "/podagent/podaaa/ctr1";

// The shares -> weight conversion that decides what cpu.weight a v2 cgroup holds: Kubernetes'
// CPUSharesToCPUWeight and runc's ConvertCPUSharesToCgroupV2Value, 1 + ((shares - 2) * 9999) / 262142,
// over the v1 range [2, 262144] onto the v2 range [1, 10000]. Written out here, not taken from
// podagent: the shares podagent reports for a weight must be shares that this turns back into
// the weight the kernel holds.
uint64_t KubernetesWeightOfShares(uint64_t shares) { return 1 + ((shares - 2) * 9999) / 262142; }

TEST(CgroupV1Reader, ReadsEveryFileOfAFullCgroup) {
  CgroupLayout layout = CgroupLayout::V1(CgroupFixture("v1"));
  ASSERT_FALSE(layout.IsV2());
  CgroupStats s = ReadCgroupStats(layout, kCtr);
  uint64_t tick_ns = 1000000000ULL / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
  EXPECT_EQ(s.cpu.usage_ns, 1500000000u);           // cpuacct.usage
  EXPECT_EQ(s.cpu.user_ns, 120 * tick_ns);           // cpuacct.stat user
  EXPECT_EQ(s.cpu.system_ns, 30 * tick_ns);          // cpuacct.stat system
  EXPECT_EQ(s.cpu.nr_periods, 40u);                  // cpu.stat
  EXPECT_EQ(s.cpu.nr_throttled, 7u);
  EXPECT_EQ(s.cpu.throttled_ns, 350000000u);
  EXPECT_EQ(s.cpu.shares, 512u);                     // cpu.shares
  EXPECT_EQ(s.cpu.quota_us, 50000);                  // cpu.cfs_quota_us
  EXPECT_EQ(s.cpu.period_us, 100000u);               // cpu.cfs_period_us
  EXPECT_EQ(s.memory.usage, 104857600u);             // memory.usage_in_bytes
  EXPECT_EQ(s.memory.max_usage, 209715200u);         // memory.max_usage_in_bytes
  EXPECT_EQ(s.memory.limit, 268435456u);             // memory.limit_in_bytes
  EXPECT_EQ(s.memory.failcnt, 3u);                   // memory.failcnt
  EXPECT_EQ(s.memory.rss, 62914560u);                // memory.stat total_rss, not rss
  EXPECT_EQ(s.memory.cache, 20971520u);              // total_cache
  EXPECT_EQ(s.memory.swap, 4096u);                   // total_swap
  EXPECT_EQ(s.memory.pgfault, 12345u);               // total_pgfault
  EXPECT_EQ(s.memory.pgmajfault, 67u);               // total_pgmajfault
  EXPECT_EQ(s.memory.inactive_file, 10485760u);      // total_inactive_file
  EXPECT_EQ(s.memory.WorkingSet(), 104857600u - 10485760u);
  EXPECT_EQ(s.memory.oom_kills, 2u);                 // memory.oom_control oom_kill
  EXPECT_EQ(s.memory.mapped_file, 8388608u);         // total_mapped_file, not mapped_file
  EXPECT_EQ(s.memory.kernel, 3145728u);              // memory.kmem.usage_in_bytes
  EXPECT_EQ(s.memory.reservation, 134217728u);       // memory.soft_limit_in_bytes
  EXPECT_EQ(s.memory.swap_limit, 536870912u);        // memory.memsw.limit_in_bytes (memory + swap)
  EXPECT_EQ(s.pids.current, 5u);                     // pids.current
  EXPECT_EQ(s.pids.processes, 3u);                   // cgroup.procs, recursive
  EXPECT_EQ(s.pids.threads, 5u);                     // tasks, recursive
  EXPECT_EQ(s.pids.limit, 1024u);                    // pids.max
  EXPECT_FALSE(s.cpu_pressure.some_us);              // no PSI files in v1
  ASSERT_EQ(s.io.size(), 2u);                        // blkio.throttle.io_service*_recursive
  EXPECT_EQ(s.io[0].bytes.at("Write"), 2097152u);
  EXPECT_EQ(s.io[0].ios.at("Write"), 512u);
}

TEST(CgroupV1Reader, PartialPodCgroupLeavesMissingFilesAbsent) {
  CgroupStats s = ReadCgroupStats(CgroupLayout::V1(CgroupFixture("v1")), kPod);
  EXPECT_EQ(s.cpu.usage_ns, 2000000000u);
  EXPECT_FALSE(s.cpu.user_ns);
  EXPECT_FALSE(s.cpu.nr_periods);
  EXPECT_EQ(s.cpu.quota_us, -1);
  EXPECT_EQ(s.memory.limit, 9223372036854771712u);
  EXPECT_FALSE(s.memory.failcnt);
  EXPECT_FALSE(s.memory.rss);
  EXPECT_EQ(s.memory.reservation, 9223372036854771712u);  // the kernel's "no soft limit"
  EXPECT_FALSE(s.memory.swap_limit);                 // no memsw files: swap accounting off
  EXPECT_FALSE(s.memory.kernel);
  EXPECT_EQ(s.memory.WorkingSet(), 120000000u);      // no inactive_file: usage itself
  EXPECT_FALSE(s.pids.current);
  EXPECT_FALSE(s.pids.processes);
}

TEST(CgroupV1Reader, MissingControllersAreNotErrors) {
  CgroupLayout layout = CgroupLayout::V1(CgroupFixture("v1-memory-only"));
  EXPECT_EQ(layout.Dir(kCtr, "cpu"), "");
  CgroupStats s = ReadCgroupStats(layout, kCtr);
  EXPECT_FALSE(s.cpu.usage_ns);
  EXPECT_FALSE(s.cpu.shares);
  EXPECT_EQ(s.memory.usage, 4096u);
  EXPECT_FALSE(s.memory.limit);
  EXPECT_FALSE(s.memory.oom_kills);
  EXPECT_FALSE(s.pids.current);                      // no pids controller
  EXPECT_FALSE(s.pids.limit);
  EXPECT_EQ(s.pids.processes, 1u);                   // counted in the memory hierarchy
  EXPECT_EQ(s.pids.threads, 2u);
}

TEST(CgroupV1Reader, CoMountedCpuAndCpuacct) {
  CgroupLayout layout = CgroupLayout::V1(CgroupFixture("v1-comounted"));
  EXPECT_EQ(layout.Dir(kCtr, "cpuacct"), CgroupFixture("v1-comounted") + "/cpu,cpuacct" + kCtr);
  CgroupStats s = ReadCgroupStats(layout, kCtr);
  EXPECT_EQ(s.cpu.usage_ns, 42u);
  EXPECT_EQ(s.cpu.shares, 2u);
}

TEST(CgroupV1Reader, CgroupThatDoesNotExistReadsEmpty) {
  CgroupStats s = ReadCgroupStats(CgroupLayout::V1(CgroupFixture("v1")), "/podagent/gone");
  EXPECT_FALSE(s.cpu.usage_ns);
  EXPECT_FALSE(s.memory.usage);
  EXPECT_FALSE(s.memory.WorkingSet());
  EXPECT_FALSE(s.pids.processes);
}

TEST(CgroupV2Reader, ReadsEveryFileOfAFullCgroup) {
  CgroupLayout layout = CgroupLayout::V2(CgroupFixture("v2"));
  CgroupStats s = ReadCgroupStats(layout, kCtr);
  EXPECT_EQ(s.cpu.usage_ns, 1500000000u);            // cpu.stat usage_usec
  EXPECT_EQ(s.cpu.user_ns, 1200000000u);             // user_usec
  EXPECT_EQ(s.cpu.system_ns, 300000000u);            // system_usec
  EXPECT_EQ(s.cpu.nr_periods, 40u);
  EXPECT_EQ(s.cpu.nr_throttled, 7u);
  EXPECT_EQ(s.cpu.throttled_ns, 350000000u);         // throttled_usec
  ASSERT_TRUE(s.cpu.shares);                         // cpu.weight 20
  EXPECT_EQ(KubernetesWeightOfShares(*s.cpu.shares), 20u) << "shares " << *s.cpu.shares;
  EXPECT_EQ(s.cpu.quota_us, 50000);                  // cpu.max
  EXPECT_EQ(s.cpu.period_us, 100000u);
  EXPECT_EQ(s.memory.usage, 104857600u);             // memory.current
  EXPECT_EQ(s.memory.max_usage, 209715200u);         // memory.peak
  EXPECT_EQ(s.memory.limit, 268435456u);             // memory.max
  EXPECT_EQ(s.memory.rss, 62914560u);                // memory.stat anon
  EXPECT_EQ(s.memory.cache, 20971520u);              // file
  EXPECT_EQ(s.memory.inactive_file, 10485760u);
  EXPECT_EQ(s.memory.pgfault, 12345u);
  EXPECT_EQ(s.memory.pgmajfault, 67u);
  EXPECT_EQ(s.memory.swap, 4096u);                   // memory.swap.current
  EXPECT_EQ(s.memory.oom_kills, 2u);                 // memory.events oom_kill
  EXPECT_EQ(s.memory.failcnt, 3u);                   // memory.events max
  EXPECT_EQ(s.memory.mapped_file, 8388608u);         // memory.stat file_mapped
  EXPECT_EQ(s.memory.kernel, 3145728u);              // memory.stat kernel
  EXPECT_EQ(s.memory.reservation, 134217728u);       // memory.min
  EXPECT_EQ(s.memory.swap_limit, 268435456u);        // memory.swap.max (swap only)
  EXPECT_EQ(s.memory.WorkingSet(), 104857600u - 10485760u);
  EXPECT_EQ(s.pids.current, 5u);
  EXPECT_EQ(s.pids.processes, 3u);                   // cgroup.procs, recursive
  EXPECT_EQ(s.pids.threads, 5u);                     // cgroup.threads, recursive
  EXPECT_EQ(s.pids.limit, 1024u);                    // pids.max
  EXPECT_EQ(s.cpu_pressure.some_us, 1234u);
  EXPECT_EQ(s.cpu_pressure.full_us, 567u);
  EXPECT_EQ(s.memory_pressure.some_us, 89u);
  EXPECT_EQ(s.memory_pressure.full_us, 10u);
  EXPECT_EQ(s.io_pressure.some_us, 2000u);
  EXPECT_EQ(s.io_pressure.full_us, 1000u);
  ASSERT_EQ(s.io.size(), 2u);                        // io.stat
  EXPECT_EQ(s.io[0].bytes.at("Write"), 2097152u);
  EXPECT_EQ(s.io[0].ios.at("Write"), 512u);
}

TEST(CgroupV2Reader, UnlimitedAndOlderKernelFiles) {
  CgroupStats s = ReadCgroupStats(CgroupLayout::V2(CgroupFixture("v2")), kPod);
  EXPECT_EQ(s.cpu.quota_us, -1);                     // cpu.max "max 100000"
  EXPECT_EQ(s.cpu.period_us, 100000u);
  EXPECT_FALSE(s.cpu.nr_periods);                    // cpu controller off: core keys only
  EXPECT_EQ(s.memory.limit, UINT64_MAX);             // memory.max "max"
  EXPECT_EQ(s.memory.swap_limit, UINT64_MAX);        // memory.swap.max "max"
  EXPECT_EQ(s.pids.limit, UINT64_MAX);               // pids.max "max"
  EXPECT_EQ(s.memory.reservation, 0u);               // memory.min 0
  EXPECT_FALSE(s.memory.kernel);                     // no memory.stat (and no "kernel" before 5.18)
  EXPECT_FALSE(s.memory.max_usage);                  // no memory.peak before 5.19
  EXPECT_FALSE(s.memory.oom_kills);
  EXPECT_EQ(s.cpu_pressure.some_us, 77u);
  EXPECT_FALSE(s.cpu_pressure.full_us);              // no "full" line for cpu before 5.13
  EXPECT_FALSE(s.io_pressure.some_us);
}

TEST(CgroupV2Reader, NoControllersEnabled) {
  CgroupStats s = ReadCgroupStats(CgroupLayout::V2(CgroupFixture("v2-no-controllers")), kCtr);
  EXPECT_EQ(s.cpu.usage_ns, 10000u);
  EXPECT_EQ(s.cpu.user_ns, 6000u);
  EXPECT_FALSE(s.cpu.shares);
  EXPECT_FALSE(s.cpu.quota_us);
  EXPECT_FALSE(s.memory.usage);
  EXPECT_FALSE(s.memory.WorkingSet());
  EXPECT_FALSE(s.pids.current);
  EXPECT_EQ(s.pids.processes, 1u);
}

TEST(CountCgroupProcesses, CountsProcsAndThreadsOfTheWholeTreeInOneWalk) {
  CgroupDir dir(CgroupFixture("v1") + "/pids" + kCtr);
  CgroupProcessCounts c = CountCgroupProcesses(dir, "tasks");
  EXPECT_EQ(c.processes, 3u);                        // ctr1 2 + nested 1
  EXPECT_EQ(c.threads, 5u);                          // ctr1 3 + nested 2
  EXPECT_EQ(c.own_procs, "101\n102\n");             // ctr1's own file only
  EXPECT_EQ(c.processes, CountRecursive(dir, "cgroup.procs"));
  EXPECT_EQ(c.threads, CountRecursive(dir, "tasks"));
}

TEST(CountCgroupProcesses, EachCountIsAbsentWithoutItsTopFile) {
  CgroupProcessCounts c = CountCgroupProcesses(CgroupDir(CgroupFixture("v1") + "/pids" + kCtr), "no.such.file");
  EXPECT_EQ(c.processes, 3u);
  EXPECT_FALSE(c.threads);
  // The pod directory has no cgroup.procs or tasks of its own: nothing is counted below it either.
  CgroupProcessCounts pod = CountCgroupProcesses(CgroupDir(CgroupFixture("v1") + "/pids" + kPod), "tasks");
  EXPECT_FALSE(pod.processes);
  EXPECT_FALSE(pod.threads);
  EXPECT_FALSE(pod.own_procs);
  CgroupProcessCounts gone = CountCgroupProcesses(CgroupDir(CgroupFixture("v1") + "/pids/podagent/gone"), "tasks");
  EXPECT_FALSE(gone.processes);
  EXPECT_FALSE(gone.own_procs);
}

TEST(CountCgroupProcesses, ReadCgroupStatsHandsBackTheOwnProcsItCounted) {
  std::optional<std::string> v1;
  CgroupStats s1 = ReadCgroupStats(CgroupLayout::V1(CgroupFixture("v1")), kCtr, &v1);
  EXPECT_EQ(v1, "101\n102\n");
  EXPECT_EQ(s1.pids.threads, 5u);
  std::optional<std::string> v2;
  CgroupStats s2 = ReadCgroupStats(CgroupLayout::V2(CgroupFixture("v2")), kCtr, &v2);
  ASSERT_TRUE(v2);
  EXPECT_EQ(CountLines(*v2) + 1, s2.pids.processes);  // own file plus nested's one process
  std::optional<std::string> gone = std::string("stale");
  ReadCgroupStats(CgroupLayout::V1(CgroupFixture("v1")), "/podagent/gone", &gone);
  EXPECT_FALSE(gone);
}

TEST(CgroupLayout, ProbeSeesAPlainDirectoryAsV1) {
  CgroupLayout layout = CgroupLayout::Probe(CgroupFixture("v1"));
  EXPECT_FALSE(layout.IsV2());
  EXPECT_EQ(layout.Dir("/", "memory"), CgroupFixture("v1") + "/memory");
  EXPECT_EQ(layout.Dir("x/y", "memory"), CgroupFixture("v1") + "/memory/x/y");
}

// Every weight the kernel accepts reads back as shares inside the v1 range that Kubernetes'
// conversion maps to that same weight; the range's ends map to each other.
TEST(CpuWeight, SharesReadBackGiveTheSameWeightThroughKubernetesConversion) {
  EXPECT_EQ(CpuWeightToShares(1), 2u);
  EXPECT_EQ(CpuWeightToShares(10000), 262144u);
  for (uint64_t weight = 1; weight <= 10000; ++weight) {
    uint64_t shares = CpuWeightToShares(weight);
    ASSERT_GE(shares, 2u) << "weight " << weight;
    ASSERT_LE(shares, 262144u) << "weight " << weight;
    ASSERT_EQ(KubernetesWeightOfShares(shares), weight) << "weight " << weight << " read back as shares " << shares;
  }
  // The default: 1024 shares are weight 39, which must not read back as shares of weight 38.
  EXPECT_EQ(KubernetesWeightOfShares(CpuWeightToShares(KubernetesWeightOfShares(1024))), 39u);
}

}  // namespace
}  // namespace podagent
