#pragma once
// JsonText: the JSON text of a value whose strings may hold bytes that are not UTF-8 (a path in
// the config file, text a plugin or a registry wrote). nlohmann::json's dump() throws on those;
// here they become U+FFFD, so a verbose Status or an error body never takes the daemon down.

#include <string>

#include <nlohmann/json.hpp>

namespace podagent {

inline std::string JsonText(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace podagent
