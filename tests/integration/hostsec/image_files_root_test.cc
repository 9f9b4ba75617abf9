// ROOT: reading /etc/passwd and /etc/group from a hostile image's unpacked layers. Layers are
// built here as the unpacker leaves them (overlay form: a whiteout is a 0/0 character device, an
// opaque directory carries trusted.overlay.opaque=y), which needs root for mknod and the xattr.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <chrono>
#include <future>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/common/files.h"
#include "runtime/common/unique_fd.h"
#include "runtime/container/image_files.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

using ::testing::HasSubstr;

constexpr char kLowerPasswd[] = "root:x:0:0:root:/root:/bin/sh\n";

class ImageFilesRoot : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::geteuid(), 0u) << "ROOT test: run as root"; }

  // A layer directory with an etc/ in it.
  std::string Layer(const std::string& name) {
    std::string dir = tmp_.Sub(name);
    EXPECT_TRUE(MakeDirs(dir + "/etc").ok());
    layers_.push_back(dir);
    return dir;
  }
  void Write(const std::string& path, const std::string& text) { ASSERT_TRUE(WriteFileAtomic(path, text).ok()) << path; }
  void Whiteout(const std::string& path) { ASSERT_EQ(::mknod(path.c_str(), S_IFCHR | 0000, makedev(0, 0)), 0) << path; }

  testing::TempDir tmp_{"podagent-imgfiles"};
  std::vector<std::string> layers_;  // lowest first
};

TEST_F(ImageFilesRoot, FifoPasswdIsRefusedAtOnceInsteadOfBlocking) {
  std::string fifo = Layer("l0") + "/etc/passwd";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  auto read = std::async(std::launch::async, [&] { return ReadFileFromLayers(layers_, "/etc/passwd"); });
  if (read.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
    // Releases the stuck open; closing at once then gives its read an end of file.
    UniqueFd(::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC)).Reset();
    read.wait();
    FAIL() << "reading a FIFO /etc/passwd blocked";
  }
  auto got = read.get();
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(got.status().message()), HasSubstr("/etc/passwd in layer"));
  EXPECT_THAT(std::string(got.status().message()), HasSubstr("fifo"));
}

TEST_F(ImageFilesRoot, SymlinkToTheHostsPasswdIsNotFollowed) {
  std::string l0 = Layer("l0");
  ASSERT_EQ(::symlink("/etc/shadow", (l0 + "/etc/passwd").c_str()), 0);
  auto got = ReadFileFromLayers(layers_, "/etc/passwd");
  ASSERT_FALSE(got.ok()) << "read through a symlink: " << got->substr(0, 40);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(got.status().message()), HasSubstr("symlink"));
}

TEST_F(ImageFilesRoot, SymlinkedEtcDirectoryIsNotFollowed) {
  std::string l0 = tmp_.Sub("l0");
  ASSERT_TRUE(MakeDirs(l0).ok());
  layers_.push_back(l0);
  ASSERT_EQ(::symlink("/etc", (l0 + "/etc").c_str()), 0);
  auto got = ReadFileFromLayers(layers_, "/etc/passwd");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, "") << "read the host's /etc/passwd";
}

TEST_F(ImageFilesRoot, TopmostLayerWins) {
  Write(Layer("l0") + "/etc/passwd", kLowerPasswd);
  Write(Layer("l1") + "/etc/passwd", "app:x:1000:1000::/home/app:/bin/sh\n");
  auto got = ReadFileFromLayers(layers_, "/etc/passwd");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, "app:x:1000:1000::/home/app:/bin/sh\n");
}

TEST_F(ImageFilesRoot, WhiteoutHidesTheLowerFile) {
  Write(Layer("l0") + "/etc/passwd", kLowerPasswd);
  Whiteout(Layer("l1") + "/etc/passwd");
  auto got = ReadFileFromLayers(layers_, "/etc/passwd");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, "") << "a whited-out /etc/passwd must read as absent";
}

TEST_F(ImageFilesRoot, WhiteoutOfTheDirectoryHidesTheLowerFile) {
  Write(Layer("l0") + "/etc/passwd", kLowerPasswd);
  std::string l1 = tmp_.Sub("l1");
  ASSERT_TRUE(MakeDirs(l1).ok());
  layers_.push_back(l1);
  Whiteout(l1 + "/etc");
  auto got = ReadFileFromLayers(layers_, "/etc/passwd");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, "");
}

TEST_F(ImageFilesRoot, OpaqueDirectoryHidesLowerEntries) {
  std::string l0 = Layer("l0");
  Write(l0 + "/etc/passwd", kLowerPasswd);
  Write(l0 + "/etc/group", "root:x:0:\n");
  std::string l1 = Layer("l1");
  ASSERT_EQ(::setxattr((l1 + "/etc").c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
  Write(l1 + "/etc/group", "app:x:1000:\n");
  auto passwd = ReadFileFromLayers(layers_, "/etc/passwd");
  ASSERT_TRUE(passwd.ok()) << passwd.status();
  EXPECT_EQ(*passwd, "") << "an opaque /etc hides the lower layer's passwd";
  auto group = ReadFileFromLayers(layers_, "/etc/group");
  ASSERT_TRUE(group.ok()) << group.status();
  EXPECT_EQ(*group, "app:x:1000:\n");
}

TEST_F(ImageFilesRoot, FileOverTheDirectoryHidesTheLowerFile) {
  Write(Layer("l0") + "/etc/passwd", kLowerPasswd);
  std::string l1 = tmp_.Sub("l1");
  ASSERT_TRUE(MakeDirs(l1).ok());
  layers_.push_back(l1);
  Write(l1 + "/etc", "not a directory\n");
  auto got = ReadFileFromLayers(layers_, "/etc/passwd");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, "");
}

TEST_F(ImageFilesRoot, SizeIsBounded) {
  Write(Layer("l0") + "/etc/passwd", std::string(2000, 'x'));
  auto got = ReadFileFromLayers(layers_, "/etc/passwd", 1000);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(got.status().message()), HasSubstr("larger than 1000 bytes"));
}

TEST_F(ImageFilesRoot, AbsentEverywhereIsEmpty) {
  Layer("l0");
  auto got = ReadFileFromLayers(layers_, "/etc/passwd");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, "");
}

}  // namespace
}  // namespace podagent
