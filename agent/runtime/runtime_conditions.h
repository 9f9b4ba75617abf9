#pragma once
// The RuntimeReady condition: can this node run pods right now? Checked for real each time.

#include <string>

#include "agent/context.h"

namespace podagent {

struct RuntimeCondition {
  bool ready = false;
  std::string reason, message;
};

RuntimeCondition CheckRuntimeReady(const AgentContext& ctx);

}  // namespace podagent
