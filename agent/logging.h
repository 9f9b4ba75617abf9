#pragma once
// spdlog set-up: stderr, text or JSON lines, per-component loggers ("cri", "sandbox", ...).

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace podagent {

void SetupLogging(const std::string& level, const std::string& format);
// A named logger sharing the sink and format of the default one.
std::shared_ptr<spdlog::logger> ComponentLogger(const std::string& name);

}  // namespace podagent
