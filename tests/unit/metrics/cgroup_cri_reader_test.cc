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

TEST(CgroupCriReader, GoneCgroupReadsNothing) {
  CgroupStats s = ReadCgroupCriStats(CgroupLayout::V1(testing::CgroupFixture("v1")), "/podagent/gone");
  EXPECT_FALSE(s.cpu.usage_ns);
  EXPECT_FALSE(s.memory.usage);
  EXPECT_FALSE(s.pids.processes);
}

}  // namespace
}  // namespace podagent
