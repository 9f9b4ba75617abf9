// The device rules and the BPF_CGROUP_DEVICE program made from them. The program is run here by
// a small interpreter of the instructions it uses and compared, for every type, access set and a
// spread of device numbers, with the rule semantics the v1 devices controller documents
// (Documentation/admin-guide/cgroup-v1/devices.rst): a request is allowed when one rule of its
// type (or 'a') with matching major and minor (or '*') holds every access asked for.
#include <linux/bpf.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/cgroups/device_program.h"
#include "runtime/cgroups/device_rules.h"

namespace podagent {
namespace {

using ::testing::ElementsAre;

// Runs `prog` on one request; nullopt on an instruction the interpreter does not know, a jump
// out of the program or a run of more steps than instructions (the program has no loops).
std::optional<uint64_t> Interpret(const std::vector<struct bpf_insn>& prog, uint32_t type, uint32_t access, uint32_t major,
                            uint32_t minor) {
  struct bpf_cgroup_dev_ctx ctx = {access << 16 | type, major, minor};
  const auto* words = reinterpret_cast<const uint32_t*>(&ctx);
  uint64_t r[11] = {};
  size_t pc = 0;
  for (size_t steps = 0; steps <= prog.size() && pc < prog.size(); ++steps) {
    const struct bpf_insn& i = prog[pc++];
    uint64_t imm = static_cast<uint64_t>(static_cast<int64_t>(i.imm));
    switch (i.code) {
      case BPF_LDX | BPF_W | BPF_MEM:
        if (i.src_reg != 1 || i.off < 0 || i.off % 4 != 0 || i.off >= static_cast<int>(sizeof ctx)) return std::nullopt;
        r[i.dst_reg] = words[i.off / 4];
        break;
      case BPF_ALU | BPF_AND | BPF_K: r[i.dst_reg] = static_cast<uint32_t>(r[i.dst_reg] & imm); break;
      case BPF_ALU | BPF_RSH | BPF_K: r[i.dst_reg] = static_cast<uint32_t>(r[i.dst_reg]) >> i.imm; break;
      case BPF_ALU | BPF_MOV | BPF_X: r[i.dst_reg] = static_cast<uint32_t>(r[i.src_reg]); break;
      case BPF_ALU64 | BPF_MOV | BPF_K: r[i.dst_reg] = imm; break;
      case BPF_JMP | BPF_JNE | BPF_K:
        if (r[i.dst_reg] != imm) pc += i.off;
        break;
      case BPF_JMP | BPF_EXIT: return r[0];
      default: return std::nullopt;
    }
  }
  return std::nullopt;
}

uint32_t AccessBits(const std::string& a) {
  uint32_t bits = 0;
  for (char c : a) bits |= c == 'r' ? BPF_DEVCG_ACC_READ : c == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
  return bits;
}

// The documented semantics, written independently of the program.
bool Allowed(const std::vector<DeviceRule>& rules, char type, uint32_t access, int64_t major, int64_t minor) {
  return std::any_of(rules.begin(), rules.end(), [&](const DeviceRule& r) {
    return (r.type == 'a' || r.type == type) && (r.major < 0 || r.major == major) &&
           (r.minor < 0 || r.minor == minor) && (access & ~AccessBits(r.access)) == 0;
  });
}

void ExpectProgramMatchesRules(const std::vector<DeviceRule>& rules) {
  auto prog = DeviceProgram(rules);
  for (char type : {'b', 'c'}) {
    uint32_t type_bits = type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
    for (uint32_t access = 1; access <= 7; ++access) {
      for (uint32_t major : {0u, 1u, 5u, 7u, 8u, 10u, 136u, 4095u}) {
        for (uint32_t minor : {0u, 1u, 2u, 3u, 5u, 7u, 8u, 9u, 11u, 229u, 1048575u}) {
          auto got = Interpret(prog, type_bits, access, major, minor);
          ASSERT_TRUE(got.has_value()) << "program did not run to exit for " << type << " " << major << ":" << minor;
          EXPECT_EQ(*got, Allowed(rules, type, access, major, minor) ? 1u : 0u)
              << type << " " << major << ":" << minor << " access " << access;
        }
      }
    }
  }
}

TEST(DeviceRulesTest, DefaultRulesAreTheStandardNodes) {
  std::vector<std::string> lines;
  for (const DeviceRule& r : DefaultDeviceRules()) lines.push_back(DeviceRuleLine(r));
  EXPECT_THAT(lines, ElementsAre("c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm",
                                 "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm"));
  EXPECT_EQ(DeviceRuleLine(DefaultDeviceRules(true).back()), "c 10:229 rwm");  // fuse only when asked
  EXPECT_EQ(DeviceRuleLine(AllowAllDevices()), "a *:* rwm");
}

TEST(DeviceRulesTest, RuleForANodeTakesTypeNumbersAndPermissions) {
  auto blk = DeviceRuleForNode(S_IFBLK | 0660, makedev(7, 3), "rw");
  ASSERT_TRUE(blk.ok()) << blk.status();
  EXPECT_EQ(DeviceRuleLine(*blk), "b 7:3 rw");
  auto chr = DeviceRuleForNode(S_IFCHR | 0666, makedev(10, 229), "rwm");
  ASSERT_TRUE(chr.ok());
  EXPECT_EQ(DeviceRuleLine(*chr), "c 10:229 rwm");
  EXPECT_EQ(DeviceRuleForNode(S_IFREG | 0644, 0, "r").status().code(), absl::StatusCode::kInvalidArgument);
  for (const char* bad : {"", "x", "rr", "rwmr", "R"}) {
    EXPECT_EQ(DeviceRuleForNode(S_IFCHR, makedev(1, 3), bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(DeviceProgramTest, DefaultRulesAllowOnlyTheStandardNodes) {
  auto prog = DeviceProgram(DefaultDeviceRules());
  auto run = [&](uint32_t type, const std::string& access, uint32_t major, uint32_t minor) {
    return Interpret(prog, type, AccessBits(access), major, minor).value_or(99);
  };
  EXPECT_EQ(run(BPF_DEVCG_DEV_CHAR, "rw", 1, 3), 1u);    // /dev/null
  EXPECT_EQ(run(BPF_DEVCG_DEV_CHAR, "m", 136, 7), 1u);   // a pts
  EXPECT_EQ(run(BPF_DEVCG_DEV_BLOCK, "r", 8, 0), 0u);    // the host's disk
  EXPECT_EQ(run(BPF_DEVCG_DEV_BLOCK, "m", 1, 3), 0u);    // a block node with null's numbers
  EXPECT_EQ(run(BPF_DEVCG_DEV_CHAR, "r", 1, 11), 0u);    // /dev/kmsg
  EXPECT_EQ(run(BPF_DEVCG_DEV_CHAR, "r", 10, 229), 0u);  // fuse, not asked for
  ExpectProgramMatchesRules(DefaultDeviceRules());
}

TEST(DeviceProgramTest, PartialPermissionsAndWildcards) {
  std::vector<DeviceRule> rules = DefaultDeviceRules(true);
  rules.push_back({'b', 7, 3, "r"});
  rules.push_back({'c', 4, -1, "w"});
  rules.push_back({'b', -1, 9, "rm"});
  rules.push_back({'a', 200, -1, "m"});
  auto prog = DeviceProgram(rules);
  EXPECT_EQ(Interpret(prog, BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_ACC_READ, 7, 3), 1u);
  EXPECT_EQ(Interpret(prog, BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE, 7, 3), 0u);
  EXPECT_EQ(Interpret(prog, BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_ACC_READ, 7, 4), 0u);
  ExpectProgramMatchesRules(rules);
}

TEST(DeviceProgramTest, AllowAllIsTheWholeProgramWithNothingUnreachable) {
  std::vector<DeviceRule> rules = {AllowAllDevices(), {'c', 1, 3, "r"}};
  auto prog = DeviceProgram(rules);
  ASSERT_FALSE(prog.empty());
  EXPECT_EQ(prog.back().code, BPF_JMP | BPF_EXIT);
  EXPECT_EQ(prog.size(), 8u);  // six context loads, return 1, exit: the verifier refuses dead code
  ExpectProgramMatchesRules(rules);
  EXPECT_EQ(Interpret(DeviceProgram({}), BPF_DEVCG_DEV_CHAR, BPF_DEVCG_ACC_READ, 1, 3), 0u);  // no rule: deny
}

}  // namespace
}  // namespace podagent
