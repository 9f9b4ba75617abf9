#pragma once
// Identifiers: 64 lowercase hex characters from the kernel's random source.

#include <string>
#include <string_view>

namespace podagent {

std::string NewId();
bool IsFullId(std::string_view id);

}  // namespace podagent
