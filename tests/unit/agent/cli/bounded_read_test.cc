// The diagnostics' reads never follow a symlink, never leave their directory, never block on a
// FIFO and never read more than asked.
#include "agent/hostfs/bounded_read.h"
#include "runtime/image/path_safety.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gtest/gtest.h"
#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

TEST(BoundedRead, OpenBeneathRefusesSymlinksAndEscapes) {
  testing::TempDir d;
  ASSERT_TRUE(MakeDirs(d / "cg/sub").ok());
  ASSERT_TRUE(WriteFileAtomic(d / "cg/sub/memory.max", "max\n").ok());
  ASSERT_TRUE(WriteFileAtomic(d / "secret", "s\n").ok());
  ASSERT_EQ(::symlink((d / "secret").c_str(), (d / "cg/sub/link").c_str()), 0);
  ASSERT_EQ(::symlink(d.path().c_str(), (d / "cg/up").c_str()), 0);
  UniqueFd root(::open((d / "cg").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(root);
  auto ok = OpenBeneath(root.Get(), "sub/memory.max", O_RDONLY, "test");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ReadHead(ok->Get(), 100, "memory.max"), "max\n");
  EXPECT_EQ(OpenBeneath(root.Get(), "sub/link", O_RDONLY, "test").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenBeneath(root.Get(), "up/secret", O_RDONLY, "test").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenBeneath(root.Get(), "../secret", O_RDONLY, "test").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenBeneath(root.Get(), "/etc/passwd", O_RDONLY, "test").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenBeneath(root.Get(), "sub/absent", O_RDONLY, "test").status().code(), absl::StatusCode::kNotFound);
}

TEST(BoundedRead, ReadFileTail) {
  testing::TempDir d;
  ASSERT_TRUE(WriteFileAtomic(d / "log", "0123456789").ok());
  EXPECT_EQ(*ReadFileTail(d / "log", 4), "6789");
  EXPECT_EQ(*ReadFileTail(d / "log", 100), "0123456789");
  ASSERT_EQ(::symlink((d / "log").c_str(), (d / "link").c_str()), 0);
  EXPECT_FALSE(ReadFileTail(d / "link", 100).ok()) << "a symlink is not followed";
  ASSERT_EQ(::mkfifo((d / "fifo").c_str(), 0600), 0);
  EXPECT_FALSE(ReadFileTail(d / "fifo", 100).ok()) << "a FIFO is refused, without blocking";
  UniqueFd zero(::open("/dev/zero", O_RDONLY | O_CLOEXEC));
  EXPECT_EQ(ReadHead(zero.Get(), 10, "/dev/zero")->size(), 10u) << "bounded";
}

}  // namespace
}  // namespace podagent
