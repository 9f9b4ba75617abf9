// ROOT: layer unpacking on the real kernel: metadata, whiteouts, overlay stacking, and hostile
// layers that must not write anything outside the layer directory.
#include "runtime/image/unpack.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "runtime/common/files.h"
#include "runtime/image/digest.h"
#include "tests/fixtures/image/layer_builder.h"
#include "tests/fixtures/image/temp_dir.h"

namespace podagent {
namespace {

using imagetest::LayerBuilder;
using imagetest::TempDir;

class UnpackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "ROOT_ tests need root (chown, mknod, trusted xattrs, overlay mounts)";
    ASSERT_FALSE(tmp_.path().empty());
    ASSERT_TRUE(MakeDirs(tmp_ / "outside").ok());
    ASSERT_TRUE(WriteFileAtomic(tmp_ / "outside/sentinel", "original").ok());
  }
  std::string NewDest() {
    std::string d = tmp_ / ("layer" + std::to_string(n_++));
    EXPECT_TRUE(MakeDirs(d).ok());
    return d;
  }
  absl::StatusOr<UnpackResult> Unpack(const std::string& tar, const std::string& dest,
                                      Compression c = Compression::kNone) {
    return UnpackLayerFromMemory(tar, c, dest);
  }
  // Outside must hold exactly the sentinel, unchanged.
  void ExpectOutsideUntouched() {
    EXPECT_EQ(*ListDir(tmp_ / "outside"), std::vector<std::string>{"sentinel"});
    EXPECT_EQ(*ReadFile(tmp_ / "outside/sentinel"), "original");
    char v[8];
    EXPECT_LT(::getxattr((tmp_ / "outside").c_str(), "trusted.overlay.opaque", v, sizeof v), 0);
  }
  void ExpectRefused(const std::string& tar, const std::string& what) {
    std::string dest = NewDest();
    auto r = Unpack(tar, dest);
    ASSERT_FALSE(r.ok()) << what << ": unpacked although hostile";
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << what << ": " << r.status();
    EXPECT_NE(r.status().message().find("layer entry"), std::string::npos) << r.status();
    ExpectOutsideUntouched();
  }

  TempDir tmp_{"podagent-unpack"};
  int n_ = 0;
};

TEST_F(UnpackTest, ROOT_KeepsOwnershipModesXattrsLinksFifos) {
  std::string tar = LayerBuilder()
                        .Dir("./", 0755)
                        .Dir("etc", 0750, 5, 6)
                        .File("etc/secret", "s3cret", 04755, 1000, 2000, {{"user.note", "kept"}})
                        .Hardlink("etc/secret-link", "etc/secret")
                        .Symlink("etc/alias", "/etc/secret")
                        .Device("fifo", AE_IFIFO, 0, 0, 0640)
                        .Finish();
  std::string dest = NewDest();
  UnpackOptions keep;
  keep.keep_setid_bits = true;
  auto r = UnpackLayerFromMemory(tar, Compression::kNone, dest, keep);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->diff_id, Sha256Digest(tar));
  struct stat st;
  ASSERT_EQ(::lstat((dest + "/etc/secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1000u);
  EXPECT_EQ(st.st_gid, 2000u);
  EXPECT_EQ(st.st_mode & 07777, 04755u) << "setuid must survive chown when keep_setid_bits is on";
  EXPECT_EQ(st.st_nlink, 2u);
  EXPECT_EQ(st.st_mtime, 1000000000);
  EXPECT_EQ(*ReadFile(dest + "/etc/secret-link"), "s3cret");
  char v[16] = {};
  ASSERT_EQ(::getxattr((dest + "/etc/secret").c_str(), "user.note", v, sizeof v), 4) << "user xattr lost";
  EXPECT_EQ(std::string(v, 4), "kept");
  ASSERT_EQ(::lstat((dest + "/etc").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  EXPECT_EQ(st.st_uid, 5u);
  EXPECT_EQ(st.st_mtime, 1000000000) << "directory times are set after their children";
  char link[64] = {};
  ASSERT_GT(::readlink((dest + "/etc/alias").c_str(), link, sizeof link), 0);
  EXPECT_STREQ(link, "/etc/secret");
  ASSERT_EQ(::lstat((dest + "/fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST_F(UnpackTest, ROOT_GzipAndZstdGiveTheUncompressedDiffId) {
  auto build = [](Compression c) { return LayerBuilder(c).Dir("d").File("d/f", std::string(100000, 'z')).Finish(); };
  std::string plain = build(Compression::kNone);
  for (Compression c : {Compression::kGzip, Compression::kZstd}) {
    std::string packed = build(c);
    EXPECT_LT(packed.size(), plain.size());
    std::string dest = NewDest();
    auto r = Unpack(packed, dest, c);
    ASSERT_TRUE(r.ok()) << "compression " << static_cast<int>(c) << ": " << r.status().ToString();
    EXPECT_EQ(r->diff_id, Sha256Digest(plain));
    EXPECT_EQ(ReadFile(dest + "/d/f")->size(), 100000u);
  }
}

TEST_F(UnpackTest, ROOT_WhiteoutsBecomeOverlayWhiteouts) {
  std::string dest = NewDest();
  auto r = Unpack(LayerBuilder().Dir("d").File(".wh.gone", "").File("d/.wh..wh..opq", "").Finish(), dest);
  ASSERT_TRUE(r.ok()) << r.status();
  struct stat st;
  ASSERT_EQ(::lstat((dest + "/gone").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(0, 0));
  EXPECT_FALSE(PathExists(dest + "/.wh.gone"));
  EXPECT_FALSE(PathExists(dest + "/d/.wh..wh..opq"));
  char v[4] = {};
  ASSERT_EQ(::getxattr((dest + "/d").c_str(), "trusted.overlay.opaque", v, sizeof v), 1);
  EXPECT_EQ(v[0], 'y');
}

TEST_F(UnpackTest, ROOT_StackedLayersMountAsOverlay) {
  std::string lower = NewDest(), upper_layer = NewDest();
  ASSERT_TRUE(Unpack(LayerBuilder().File("a", "A").File("b", "B").Dir("d").File("d/x", "X").Finish(), lower).ok());
  ASSERT_TRUE(Unpack(LayerBuilder().File(".wh.a", "").Dir("d").File("d/.wh..wh..opq", "").File("d/y", "Y").Finish(),
                     upper_layer).ok());
  std::string mnt = tmp_ / "mnt", up = tmp_ / "up", work = tmp_ / "work";
  for (const auto& d : {mnt, up, work}) ASSERT_TRUE(MakeDirs(d).ok());
  std::string opts = "lowerdir=" + upper_layer + ":" + lower + ",upperdir=" + up + ",workdir=" + work;
  ASSERT_EQ(::mount("overlay", mnt.c_str(), "overlay", 0, opts.c_str()), 0) << std::strerror(errno);
  struct Unmount {
    std::string p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{mnt};
  EXPECT_FALSE(PathExists(mnt + "/a")) << "whiteout must hide a";
  EXPECT_EQ(*ReadFile(mnt + "/b"), "B");
  EXPECT_FALSE(PathExists(mnt + "/d/x")) << "opaque dir must hide d/x";
  EXPECT_EQ(*ReadFile(mnt + "/d/y"), "Y");
}

TEST_F(UnpackTest, ROOT_RefusesDotDot) {
  ExpectRefused(LayerBuilder().File("../outside/pwned", "x").Finish(), "dotdot");
  ExpectRefused(LayerBuilder().File("a/../../outside/pwned", "x").Finish(), "nested dotdot");
}

TEST_F(UnpackTest, ROOT_RefusesAbsoluteNames) {
  ExpectRefused(LayerBuilder().File(tmp_ / "outside/pwned", "x").Finish(), "absolute");
}

TEST_F(UnpackTest, ROOT_RefusesSymlinkEscapes) {
  ExpectRefused(LayerBuilder().Symlink("link", tmp_ / "outside").File("link/pwned", "x").Finish(), "absolute symlink");
  ExpectRefused(LayerBuilder().Symlink("rel", "../outside").File("rel/pwned", "x").Finish(), "relative symlink");
  ExpectRefused(LayerBuilder().Symlink("link", tmp_ / "outside").Dir("link/sub").Finish(), "dir via symlink");
  ExpectRefused(LayerBuilder().Symlink("link", tmp_ / "outside").File("link/.wh.sentinel", "").Finish(),
                "whiteout via symlink");
  ExpectRefused(LayerBuilder().Symlink("link", tmp_ / "outside").File("link/.wh..wh..opq", "").Finish(),
                "opaque via symlink");
  ExpectRefused(LayerBuilder().Symlink("link", tmp_ / "outside").Device("link/dev", AE_IFCHR, 1, 3).Finish(),
                "device via symlink");
}

TEST_F(UnpackTest, ROOT_RefusesHardlinkEscapes) {
  ExpectRefused(LayerBuilder().Hardlink("hl", "../outside/sentinel").Finish(), "hardlink dotdot");
  ExpectRefused(LayerBuilder().Hardlink("hl", tmp_ / "outside/sentinel").Finish(), "hardlink absolute");
  ExpectRefused(LayerBuilder().Symlink("link", tmp_ / "outside").Hardlink("hl", "link/sentinel").Finish(),
                "hardlink via symlink");
}

TEST_F(UnpackTest, ROOT_FileOverSymlinkReplacesTheSymlink) {
  std::string dest = NewDest();
  auto r = Unpack(LayerBuilder().Symlink("s", tmp_ / "outside/sentinel").File("s", "mine").Finish(), dest);
  ASSERT_TRUE(r.ok()) << r.status();
  struct stat st;
  ASSERT_EQ(::lstat((dest + "/s").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(*ReadFile(dest + "/s"), "mine");
  ExpectOutsideUntouched();
}

// The unpacker reuses the parent directory of the previous entry: an entry after its directory
// was replaced (by a symlink or a whiteout) must still resolve the path afresh and be refused.
TEST_F(UnpackTest, ROOT_EntriesAfterTheirDirectoryWasReplacedAreResolvedAgain) {
  ExpectRefused(LayerBuilder().File("d/a", "x").Symlink("d", tmp_ / "outside").File("d/b", "x").Finish(),
                "file in a directory since replaced by a symlink");
  ExpectRefused(LayerBuilder().File("d/a", "x").File(".wh.d", "").File("d/b", "x").Finish(),
                "file in a directory since whited out");
}

TEST_F(UnpackTest, ROOT_LaterEntriesReplaceFilesAndLinksOfTheSameName) {
  std::string dest = NewDest();
  auto r = Unpack(
      LayerBuilder().File("f", "one").File("f", "two").File("t", "target").File("h", "old").Hardlink("h", "t").Finish(),
      dest);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*ReadFile(dest + "/f"), "two");
  struct stat h, t;
  ASSERT_EQ(::lstat((dest + "/h").c_str(), &h), 0);
  ASSERT_EQ(::lstat((dest + "/t").c_str(), &t), 0);
  EXPECT_EQ(h.st_ino, t.st_ino) << "the hard link did not replace the earlier file";
}

TEST_F(UnpackTest, ROOT_GarbageIsAnError) {
  std::string dest = NewDest();
  EXPECT_FALSE(Unpack("this is not a tar archive at all, not even close............", dest).ok());
  EXPECT_FALSE(Unpack(std::string(1000, '\x1f'), dest, Compression::kGzip).ok());
}

}  // namespace
}  // namespace podagent
