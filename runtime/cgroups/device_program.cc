#include "runtime/cgroups/device_program.h"

#include <cstddef>

namespace podagent {
namespace {

// Registers: r1 context, r2 device type, r3 access bits, r4 major, r5 minor, r6 scratch.
struct bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  struct bpf_insn i {};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

struct bpf_insn LoadCtx(uint8_t dst, int16_t off) { return Insn(BPF_LDX | BPF_W | BPF_MEM, dst, 1, off, 0); }
struct bpf_insn Alu32(uint8_t op, uint8_t dst, int32_t imm) { return Insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm); }
struct bpf_insn Mov32Reg(uint8_t dst, uint8_t src) { return Insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0); }
struct bpf_insn JumpIfNot(uint8_t reg, int32_t imm) { return Insn(BPF_JMP | BPF_JNE | BPF_K, reg, 0, 0, imm); }
struct bpf_insn Return(int32_t value) { return Insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, value); }
struct bpf_insn Exit() { return Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

int32_t TypeBits(char type) { return type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR; }

int32_t AccessBits(const std::string& access) {
  int32_t bits = 0;
  for (char c : access) {
    bits |= c == 'r' ? BPF_DEVCG_ACC_READ : c == 'w' ? BPF_DEVCG_ACC_WRITE : c == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
  }
  return bits;
}

constexpr int32_t kAllAccess = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;

bool MatchesEverything(const DeviceRule& r) {
  return r.type == 'a' && r.major < 0 && r.minor < 0 && AccessBits(r.access) == kAllAccess;
}

// One rule: each check jumps past the block's end on a mismatch; the block ends "return 1".
void EmitRule(const DeviceRule& r, std::vector<struct bpf_insn>& out) {
  std::vector<size_t> jumps;
  if (r.type != 'a') {
    jumps.push_back(out.size());
    out.push_back(JumpIfNot(2, TypeBits(r.type)));
  }
  if (int32_t allowed = AccessBits(r.access); allowed != kAllAccess) {
    out.push_back(Mov32Reg(6, 3));
    out.push_back(Alu32(BPF_AND, 6, ~allowed & kAllAccess));  // asked for something not allowed?
    jumps.push_back(out.size());
    out.push_back(JumpIfNot(6, 0));
  }
  if (r.major >= 0) {
    jumps.push_back(out.size());
    out.push_back(JumpIfNot(4, static_cast<int32_t>(r.major)));
  }
  if (r.minor >= 0) {
    jumps.push_back(out.size());
    out.push_back(JumpIfNot(5, static_cast<int32_t>(r.minor)));
  }
  out.push_back(Return(1));
  out.push_back(Exit());
  for (size_t j : jumps) out[j].off = static_cast<int16_t>(out.size() - (j + 1));
}

}  // namespace

std::vector<struct bpf_insn> DeviceProgram(const std::vector<DeviceRule>& allow) {
  std::vector<struct bpf_insn> out = {
      LoadCtx(2, offsetof(struct bpf_cgroup_dev_ctx, access_type)),
      Alu32(BPF_AND, 2, 0xffff),
      LoadCtx(3, offsetof(struct bpf_cgroup_dev_ctx, access_type)),
      Alu32(BPF_RSH, 3, 16),
      LoadCtx(4, offsetof(struct bpf_cgroup_dev_ctx, major)),
      LoadCtx(5, offsetof(struct bpf_cgroup_dev_ctx, minor)),
  };
  for (const DeviceRule& r : allow) {
    if (MatchesEverything(r)) {  // the verifier refuses unreachable code after it
      out.push_back(Return(1));
      out.push_back(Exit());
      return out;
    }
    EmitRule(r, out);
  }
  out.push_back(Return(0));
  out.push_back(Exit());
  return out;
}

}  // namespace podagent
