// ReadCgroupCriStats reads fewer files than ReadCgroupStats, but every figure the CRI stats
// messages carry must be the same: compared field by field on the v1 and v2 fixture trees.
#include "metrics/cgroup_cri_reader.h"

#include <gtest/gtest.h>

#include "metrics/cgroup_reader.h"
#include "tests/unit/metrics/fixture.h"

namespace podagent {
namespace {

void ExpectCriFieldsEqual(const CgroupLayout& layout, const std::string& path) {
  SCOPED_TRACE(path);
  CgroupStats all = ReadCgroupStats(layout, path);
  CgroupStats cri = ReadCgroupCriStats(layout, path);
  ASSERT_TRUE(all.cpu.usage_ns);
  ASSERT_TRUE(all.memory.usage);
  EXPECT_EQ(cri.cpu.usage_ns, all.cpu.usage_ns);
  EXPECT_EQ(cri.memory.usage, all.memory.usage);
  EXPECT_EQ(cri.memory.limit, all.memory.limit);
  EXPECT_EQ(cri.memory.WorkingSet(), all.memory.WorkingSet());
  EXPECT_EQ(cri.memory.rss, all.memory.rss);
  EXPECT_EQ(cri.memory.swap, all.memory.swap);
  EXPECT_EQ(cri.memory.pgfault, all.memory.pgfault);
  EXPECT_EQ(cri.memory.pgmajfault, all.memory.pgmajfault);
  EXPECT_EQ(cri.pids.processes, all.pids.processes);
  // And nothing the CRI does not carry: those files are the cost being saved.
  EXPECT_FALSE(cri.cpu.nr_periods);
  EXPECT_FALSE(cri.memory.max_usage);
  EXPECT_TRUE(cri.io.empty());
}

TEST(CgroupCriReader, SameCriFiguresAsTheFullReaderOnV1AndV2) {
  for (const char* path : {"/podagent/podaaa", "/podagent/podaaa/ctr1"}) {
    ExpectCriFieldsEqual(CgroupLayout::V1(testing::CgroupFixture("v1")), path);
    ExpectCriFieldsEqual(CgroupLayout::V2(testing::CgroupFixture("v2")), path);
  }
}

// A container's stats carry no process count: without it, the same figures and no count.
TEST(CgroupCriReader, WithoutProcessesTheSameFiguresAndNoCount) {
  for (bool v2 : {false, true}) {
    SCOPED_TRACE(v2 ? "v2" : "v1");
    CgroupLayout layout = v2 ? CgroupLayout::V2(testing::CgroupFixture("v2")) : CgroupLayout::V1(testing::CgroupFixture("v1"));
    CgroupStats with = ReadCgroupCriStats(layout, "/podagent/podaaa/ctr1");
    CgroupStats without = ReadCgroupCriStats(layout, "/podagent/podaaa/ctr1", nullptr, /*processes=*/false);
    ASSERT_TRUE(with.pids.processes);
    EXPECT_FALSE(without.pids.processes);
    ASSERT_TRUE(without.cpu.usage_ns);
    EXPECT_EQ(without.cpu.usage_ns, with.cpu.usage_ns);
    EXPECT_EQ(without.memory.WorkingSet(), with.memory.WorkingSet());
    EXPECT_EQ(without.memory.limit, with.memory.limit);
    EXPECT_EQ(without.memory.swap, with.memory.swap);
  }
}

TEST(CgroupCriReader, GoneCgroupReadsNothing) {
  CgroupStats s = ReadCgroupCriStats(CgroupLayout::V1(testing::CgroupFixture("v1")), "/podagent/gone");
  EXPECT_FALSE(s.cpu.usage_ns);
  EXPECT_FALSE(s.memory.usage);
  EXPECT_FALSE(s.pids.processes);
}

}  // namespace
}  // namespace podagent
