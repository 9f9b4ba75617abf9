// `cpack -G DEB` on this build, then the .deb read back with dpkg-deb as dpkg would see it: its
// name and control fields, the files an install puts on the node, the unit that starts the
// daemon, the maintainer scripts. Installing it needs systemd as PID 1, which this host lacks,
// so the scripts are only checked for syntax here; hack/vm/systemd-ci.sh installs, starts,
// upgrades and removes the .deb in the systemd guest (systemd-install-check.sh).
#include <sys/stat.h>

#include <string>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "runtime/common/files.h"
#include "tests/lib/paths.h"
#include "tests/lib/shell.h"
#include "tests/lib/temp_dir.h"

namespace podagent::testing {
namespace {

// CMAKE_INSTALL_PREFIX of this build, from its cache.
std::string InstallPrefix() {
  auto cache = ReadFile(BinDir() + "/../CMakeCache.txt");
  if (!cache.ok()) return "<no CMakeCache.txt>";
  for (absl::string_view line : absl::StrSplit(*cache, '\n')) {
    if (absl::ConsumePrefix(&line, "CMAKE_INSTALL_PREFIX:PATH=")) return std::string(line);
  }
  return "<no CMAKE_INSTALL_PREFIX>";
}

bool IsExecutableFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IXUSR);
}

class DebPackage : public ::testing::Test {
 protected:
  void SetUp() override {
    auto version = RunShell(BinDir() + "/podagent --version");
    ASSERT_TRUE(version.ok()) << version.status();
    std::vector<std::string> words = absl::StrSplit(*version, ' ');
    ASSERT_GE(words.size(), 2u) << *version;
    version_ = words[1];
    auto arch = RunShell("dpkg --print-architecture");
    ASSERT_TRUE(arch.ok()) << arch.status();
    deb_ = dir_.Sub(absl::StrCat("podagent_", version_, "_", *arch, ".deb"));
    auto packed = RunShell(absl::StrCat("cpack -G DEB -B ", dir_.path(), " --config ", BinDir(), "/../CPackConfig.cmake"));
    ASSERT_TRUE(packed.ok()) << packed.status();
    ASSERT_TRUE(PathExists(deb_)) << "no " << deb_ << " after:\n" << *packed;
  }

  std::string Field(const std::string& name) {
    auto v = RunShell(absl::StrCat("dpkg-deb -f ", deb_, " ", name));
    return v.ok() ? *v : absl::StrCat("<", v.status().ToString(), ">");
  }

  void CheckControlFields();
  void CheckFiles();                // binaries, config and unit, as dpkg would unpack them
  void CheckConffileAndScripts();

  TempDir dir_{"podagent-deb"};
  std::string version_, deb_;
};

// One test: ctest runs each test in its own process, and packing is the slow part.
TEST_F(DebPackage, PacksWhatANodeInstallNeeds) {
  CheckControlFields();
  CheckFiles();
  CheckConffileAndScripts();
}

void DebPackage::CheckControlFields() {
  EXPECT_EQ(Field("Package"), "podagent");
  EXPECT_EQ(Field("Version"), version_);
  std::string depends = Field("Depends");
  for (const char* dep : {"containernetworking-plugins", "libsystemd0", "libgrpc++", "libseccomp2"}) {
    EXPECT_TRUE(absl::StrContains(depends, dep)) << dep << " missing from Depends: " << depends;
  }
}

void DebPackage::CheckFiles() {
  std::string root = dir_.Sub("root");
  ASSERT_TRUE(RunShell(absl::StrCat("dpkg-deb -x ", deb_, " ", root)).ok());
  std::string bin = root + InstallPrefix() + "/bin";
  for (const char* b : {"podagent", "podagent-shim", "podagent-pause"}) {
    EXPECT_TRUE(IsExecutableFile(absl::StrCat(bin, "/", b))) << bin << "/" << b;
  }
  auto version = RunShell(bin + "/podagent --version");
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_TRUE(absl::StartsWith(*version, "podagent " + version_)) << *version;

  auto shipped = ReadFile(SourceDir() + "/deploy/podagent.yaml");
  auto packed = ReadFile(root + "/etc/podagent/podagent.yaml");
  ASSERT_TRUE(shipped.ok() && packed.ok());
  EXPECT_EQ(*packed, *shipped);

  auto unit = ReadFile(root + "/lib/systemd/system/podagent.service");
  ASSERT_TRUE(unit.ok()) << unit.status();
  EXPECT_TRUE(absl::StrContains(*unit, "\nType=notify\n")) << *unit;
  EXPECT_TRUE(absl::StrContains(*unit, "\nKillMode=process\n")) << "pods must outlive a restart\n" << *unit;
  EXPECT_TRUE(absl::StrContains(
      *unit, absl::StrCat("\nExecStart=", InstallPrefix(), "/bin/podagent --config /etc/podagent/podagent.yaml\n")))
      << *unit;
}

void DebPackage::CheckConffileAndScripts() {
  std::string control = dir_.Sub("control");
  ASSERT_TRUE(RunShell(absl::StrCat("dpkg-deb -e ", deb_, " ", control)).ok());
  auto conffiles = ReadFile(control + "/conffiles");
  ASSERT_TRUE(conffiles.ok()) << conffiles.status();
  EXPECT_EQ(*conffiles, "/etc/podagent/podagent.yaml\n");
  for (const char* script : {"postinst", "prerm", "postrm"}) {
    std::string path = absl::StrCat(control, "/", script);
    EXPECT_TRUE(IsExecutableFile(path)) << path;
    auto parsed = RunShell("sh -n " + path);
    EXPECT_TRUE(parsed.ok()) << parsed.status();
  }
}

}  // namespace
}  // namespace podagent::testing
