#pragma once
// One HTTP GET (libcurl) with a 30 s limit and a 256 MiB body bound; non-2xx is an error.

#include <string>

#include "absl/status/statusor.h"

namespace podagent::bench {

absl::StatusOr<std::string> HttpGet(const std::string& url);

}  // namespace podagent::bench
