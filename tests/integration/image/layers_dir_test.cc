// The image store's layers dir carries FS_TOPDIR_FL where the filesystem has it (ext4 on a loop
// file, read back from the kernel), so each layer is unpacked in a block group of its own; on
// tmpfs, which has no such flag, the store starts all the same.

#include <gtest/gtest.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "runtime/common/files.h"
#include "runtime/common/unique_fd.h"
#include "runtime/image/image_store.h"
#include "tests/lib/shell.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

constexpr long kExt4Magic = 0xEF53;

// An ext4 filesystem on a 32 MiB file, loop-mounted at `dir`; unmounted (and its loop device
// released, autoclear) at destruction.
class Ext4Mount {
 public:
  Ext4Mount(const std::string& image, const std::string& dir) : dir_(dir) {
    auto made = testing::RunShell("truncate -s 32M " + image + " && mkfs.ext4 -q -F " + image);
    if (!made.ok()) {
      error_ = std::string(made.status().message());
      return;
    }
    auto mounted = testing::RunShell("mount -o loop " + image + " " + dir);
    if (!mounted.ok()) {
      error_ = std::string(mounted.status().message());
      return;
    }
    mounted_ = true;
  }
  ~Ext4Mount() {
    if (mounted_ && ::umount2(dir_.c_str(), 0) != 0) ADD_FAILURE() << "umount " << dir_;
  }
  const std::string& error() const { return error_; }

 private:
  std::string dir_, error_;
  bool mounted_ = false;
};

int Flags(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  EXPECT_TRUE(fd) << dir;
  int flags = 0;
  EXPECT_EQ(::ioctl(fd.Get(), FS_IOC_GETFLAGS, &flags), 0) << dir;
  return flags;
}

TEST(LayersDir, ROOT_TopDirFlagOnExt4) {
  testing::TempDir tmp;
  std::string mnt = tmp.path() + "/mnt";
  ASSERT_TRUE(MakeDirs(mnt).ok());
  Ext4Mount ext4(tmp.path() + "/ext4.img", mnt);
  ASSERT_EQ(ext4.error(), "");
  struct statfs fs {};
  ASSERT_EQ(::statfs(mnt.c_str(), &fs), 0);
  ASSERT_EQ(fs.f_type, kExt4Magic);
  {
    ImageStore store(mnt + "/root");
    auto init = store.Init();
    ASSERT_TRUE(init.ok()) << init.status();
  }
  EXPECT_TRUE(Flags(mnt + "/root/l") & FS_TOPDIR_FL) << "no FS_TOPDIR_FL on the layers dir";
  EXPECT_FALSE(Flags(mnt + "/root") & FS_TOPDIR_FL) << "only the layers dir is marked";
  EXPECT_TRUE(MarkTopDir(mnt + "/root/l").ok()) << "marking it again is fine";
}

TEST(LayersDir, ROOT_StoreStartsWhereTheFilesystemHasNoSuchFlag) {
  testing::TempDir tmp;
  std::string mnt = tmp.path() + "/mnt";
  ASSERT_TRUE(MakeDirs(mnt).ok());
  ASSERT_EQ(::mount("podagent-test", mnt.c_str(), "tmpfs", 0, "size=8m"), 0);
  {
    ImageStore store(mnt + "/root");
    auto init = store.Init();
    EXPECT_TRUE(init.ok()) << init.status();
    EXPECT_TRUE(MarkTopDir(mnt + "/root/l").ok());
  }
  EXPECT_EQ(::umount2(mnt.c_str(), 0), 0);
}

}  // namespace
}  // namespace podagent
