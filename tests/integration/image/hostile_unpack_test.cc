// ROOT: what a hostile layer may not bring onto the node, checked on the real kernel's files:
// device nodes (refused), set-user/group-ID bits (stripped by default), decompression bombs and
// entry floods (refused at the configured limit while reading, with nothing left half-written
// outside the layer directory).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <iostream>

#include "runtime/common/files.h"
#include "runtime/image/unpack.h"
#include "tests/fixtures/image/layer_builder.h"
#include "tests/fixtures/image/temp_dir.h"

namespace podagent {
namespace {

using imagetest::LayerBuilder;
using imagetest::TempDir;

class HostileUnpackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "ROOT_ tests need root (chown, mknod)";
    ASSERT_FALSE(tmp_.path().empty());
  }
  std::string NewDest() {
    std::string d = tmp_ / ("layer" + std::to_string(n_++));
    EXPECT_TRUE(MakeDirs(d).ok());
    return d;
  }
  // Mode bits of `path` from lstat; fails the test when it cannot be read.
  mode_t ModeOf(const std::string& path) {
    struct stat st;
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode;
  }
  TempDir tmp_{"podagent-hostile"};
  int n_ = 0;
};

TEST_F(HostileUnpackTest, ROOT_RefusesCharacterAndBlockDevices) {
  for (mode_t type : {mode_t{AE_IFCHR}, mode_t{AE_IFBLK}}) {
    std::string dest = NewDest();
    // 8:0 is the host's first disk; 1:1 is /dev/mem.
    auto r = UnpackLayerFromMemory(LayerBuilder().Dir("dev").Device("dev/disk", type, type == AE_IFBLK ? 8 : 1,
                                                                      type == AE_IFBLK ? 0 : 1, 0666).Finish(),
                                   Compression::kNone, dest);
    ASSERT_FALSE(r.ok()) << "a device node was unpacked";
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
    EXPECT_NE(r.status().message().find("device nodes in images are refused"), std::string::npos) << r.status();
    EXPECT_FALSE(PathExists(dest + "/dev/disk"));
  }
}

TEST_F(HostileUnpackTest, ROOT_StripsSetIdBitsOfFilesByDefault) {
  std::string dest = NewDest();
  auto r = UnpackLayerFromMemory(LayerBuilder()
                                     .Dir("bin")
                                     .File("bin/suid", "#!", 04755)
                                     .File("bin/sgid", "#!", 02711)
                                     .Dir("shared", 02775)
                                     .Device("fifo", AE_IFIFO, 0, 0, 04640)
                                     .Finish(),
                                 Compression::kNone, dest);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->setid_stripped, 3);
  EXPECT_EQ(ModeOf(dest + "/bin/suid") & 07777, 0755u);
  EXPECT_EQ(ModeOf(dest + "/bin/sgid") & 07777, 0711u);
  EXPECT_EQ(ModeOf(dest + "/fifo") & 07777, 0640u);
  EXPECT_TRUE(S_ISFIFO(ModeOf(dest + "/fifo")));
  EXPECT_EQ(ModeOf(dest + "/shared") & 07777, 02775u) << "set-group-ID on a directory only sets group inheritance";
}

TEST_F(HostileUnpackTest, ROOT_RefusesADecompressionBombAtTheByteLimit) {
  // 256 MiB of zeros; zstd makes it a few KiB.
  std::string bomb = LayerBuilder(Compression::kZstd).File("zeros", std::string(256 << 20, '\0')).Finish();
  ASSERT_LT(bomb.size(), 1u << 20);
  std::string dest = NewDest();
  UnpackOptions options;
  options.max_bytes = 16 << 20;
  auto start = std::chrono::steady_clock::now();
  auto r = UnpackLayerFromMemory(bomb, Compression::kZstd, dest, options);
  ASSERT_FALSE(r.ok()) << "the bomb was unpacked in full";
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << r.status();
  EXPECT_NE(r.status().message().find("images.max_layer_bytes"), std::string::npos) << r.status();
  struct stat st;
  ASSERT_EQ(::stat((dest + "/zeros").c_str(), &st), 0);
  EXPECT_LE(st.st_blocks * 512, int64_t{17} << 20) << "more was written than the limit allows";
  std::cerr << "bomb refused after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count()
            << " ms\n";
  // The same layer within a limit that fits is fine: the limit is what refused it.
  options.max_bytes = 300 << 20;
  auto ok = UnpackLayerFromMemory(bomb, Compression::kZstd, NewDest(), options);
  EXPECT_TRUE(ok.ok()) << ok.status();
}

TEST_F(HostileUnpackTest, ROOT_RefusesMoreEntriesThanTheLimit) {
  LayerBuilder b;
  for (int i = 0; i < 50; ++i) b.File("f" + std::to_string(i), "");
  std::string tar = b.Finish();
  UnpackOptions options;
  options.max_entries = 20;
  auto r = UnpackLayerFromMemory(tar, Compression::kNone, NewDest(), options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("images.max_layer_entries"), std::string::npos) << r.status();
  options.max_entries = 50;
  auto ok = UnpackLayerFromMemory(tar, Compression::kNone, NewDest(), options);
  EXPECT_TRUE(ok.ok()) << ok.status();
}

}  // namespace
}  // namespace podagent
