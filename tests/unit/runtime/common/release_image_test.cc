// ReleaseImagePages on this test program itself: the resident pages of its read-only segments
// go, and everything that relocation wrote (tables of pointers, vtables: RELRO, writable data)
// still reads the same afterwards.

#include "runtime/common/release_image.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

namespace podagent {
namespace {

// A table of pointers: in a PIE these live in RELRO, filled in by the loader at start.
const char* const kWords[] = {"alpha", "beta", "gamma"};

struct Shape {
  virtual ~Shape() = default;
  virtual int Sides() const { return 0; }
};
struct Square : Shape {
  int Sides() const override { return 4; }
};

// KiB resident in this program's executable mappings (/proc/self/smaps, the r-xp lines of the
// file /proc/self/exe names).
int64_t ProgramTextRssKib() {
  char exe[4096] = {};
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  EXPECT_GT(n, 0);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool in_text = false;
  int64_t kb = 0;
  while (std::getline(smaps, line)) {
    std::istringstream f(line);
    std::string range, perms, field;
    if (line.find('-') != std::string::npos && line.find(':') > line.find(' ')) {
      f >> range >> perms;
      in_text = perms == "r-xp" && line.size() >= std::string(exe).size() &&
                line.compare(line.size() - std::string(exe).size(), std::string::npos, exe) == 0;
    } else if (in_text && line.rfind("Rss:", 0) == 0) {
      int64_t v = 0;
      f >> field >> v;
      kb += v;
    }
  }
  return kb;
}

TEST(ReleaseImagePages, DropsTheProgramsTextAndKeepsRelocatedData) {
  Square square;
  const Shape* shape = &square;
  int64_t before = ProgramTextRssKib();
  long bytes = ReleaseImagePages(ImageScope::kProgramAndLibraries);
  int64_t after = ProgramTextRssKib();
  EXPECT_GT(bytes, 0);
  EXPECT_GT(before, 0);
  EXPECT_LT(after, before) << "text RSS in KiB did not go down";
  EXPECT_STREQ(kWords[0], "alpha");
  EXPECT_STREQ(kWords[2], "gamma");
  EXPECT_EQ(shape->Sides(), 4);
  std::string s = "still " + std::to_string(42);
  EXPECT_EQ(s, "still 42");
}

// KiB of copied-on-write pages in the mapping that holds addr (/proc/self/smaps "Anonymous:").
int64_t AnonymousKibAt(uintptr_t addr) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    size_t dash = line.find('-'), space = line.find(' ');
    if (dash != std::string::npos && space != std::string::npos && dash < space) {
      uintptr_t a = std::stoull(line.substr(0, dash), nullptr, 16);
      uintptr_t b = std::stoull(line.substr(dash + 1, space - dash - 1), nullptr, 16);
      inside = a <= addr && addr < b;
    } else if (inside && line.rfind("Anonymous:", 0) == 0) {
      return std::stoll(line.substr(10));
    }
  }
  return -1;
}

int Marker() { return 7; }

// A debugger's or uprobe's breakpoint is a private copy of a text page; the release must keep it.
// Writing a byte of this program's text through /proc/self/mem (its own value: the code does not
// change) makes such a copy.
TEST(ReleaseImagePages, KeepsCopiedTextPages) {
  auto addr = reinterpret_cast<uintptr_t>(&Marker);
  int fd = ::open("/proc/self/mem", O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  unsigned char byte = 0;
  ASSERT_EQ(::pread(fd, &byte, 1, static_cast<off_t>(addr)), 1);
  ASSERT_EQ(::pwrite(fd, &byte, 1, static_cast<off_t>(addr)), 1);
  ::close(fd);
  ASSERT_GT(AnonymousKibAt(addr), 0) << "the write did not copy the page";
  ReleaseImagePages(ImageScope::kProgram);
  EXPECT_GT(AnonymousKibAt(addr), 0) << "the copied text page was dropped";
  EXPECT_EQ(Marker(), 7);
}

TEST(ReleaseImagePages, ProgramScopeOnlyAndTwiceIsFine) {
  EXPECT_GT(ReleaseImagePages(ImageScope::kProgram), 0);
  EXPECT_GT(ReleaseImagePages(ImageScope::kProgram), 0);
  EXPECT_STREQ(kWords[1], "beta");
}

}  // namespace
}  // namespace podagent
