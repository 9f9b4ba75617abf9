#include "runtime/process/proc_stat.h"

#include <unistd.h>

#include "gtest/gtest.h"

namespace podagent {
namespace {

TEST(ProcStat, ParsesNameWithSpacesAndParens) {
  auto st = ParseProcStat("42 (a) b) c) S 7 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 123456 1000 10 ...\n");
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->state, 'S');
  EXPECT_EQ(st->ppid, 7);
  EXPECT_EQ(st->start_time, 123456u);
}

TEST(ProcStat, RejectsGarbage) {
  EXPECT_FALSE(ParseProcStat("").ok());
  EXPECT_FALSE(ParseProcStat("1 (x) S 1 2").ok());
  EXPECT_FALSE(ParseProcStat("1 (x) S x 1 1 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0 y 0").ok());
}

TEST(ProcStat, ReadsSelf) {
  auto st = ReadProcStat(::getpid());
  ASSERT_TRUE(st.ok()) << st.status();
  EXPECT_EQ(st->ppid, ::getppid());
  EXPECT_GT(st->start_time, 0u);
  EXPECT_TRUE(absl::IsNotFound(ReadProcStat(0x3fffffff).status()));
}

}  // namespace
}  // namespace podagent
