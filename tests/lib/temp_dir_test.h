#pragma once
// TempDirTest: the gtest fixture of tests that each work in a fresh temp dir, dir_ (a TempDir:
// removed with its contents after the test).
//   class CniConfigTest : public testing::TempDirTest {
//    protected:
//     CniConfigTest() : TempDirTest("podagent-cniconf") {}
//   };

#include <string>

#include "gtest/gtest.h"
#include "tests/lib/temp_dir.h"

namespace podagent::testing {

class TempDirTest : public ::testing::Test {
 protected:
  explicit TempDirTest(const std::string& prefix) : scratch_(prefix), dir_(scratch_.path()) {}

  TempDir scratch_;
  const std::string dir_;
};

}  // namespace podagent::testing
