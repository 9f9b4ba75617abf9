#include "agent/runtime/runtime_conditions.h"

#include <unistd.h>

namespace podagent {
namespace {

bool Executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }
bool Writable(const std::string& dir) { return ::access(dir.c_str(), W_OK) == 0; }

}  // namespace

RuntimeCondition CheckRuntimeReady(const AgentContext& ctx) {
  const Config& c = ctx.config;
  if (ctx.cgroups == nullptr) return {false, ctx.cgroups_unusable.reason, ctx.cgroups_unusable.message};
  if (!Executable(c.pause_binary)) return {false, "PauseBinaryMissing", "pause binary " + c.pause_binary + " is not executable"};
  if (!Executable(c.shim_binary)) return {false, "ShimBinaryMissing", "shim binary " + c.shim_binary + " is not executable"};
  if (!Writable(c.root_dir)) return {false, "RootDirNotWritable", "root dir " + c.root_dir + " is not writable"};
  if (!Writable(c.run_dir)) return {false, "RunDirNotWritable", "run dir " + c.run_dir + " is not writable"};
  return {true, "", ""};
}

}  // namespace podagent
