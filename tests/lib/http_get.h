#pragma once
// Loopback HTTP for tests and the bench driver: a free 127.0.0.1 port, and one GET (libcurl, no
// proxy) with a time limit and a 256 MiB body bound; transport failures and non-2xx are errors.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace podagent::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (0 when none could be had).
int FreeLoopbackPort();

// The body of a GET of `url`, as sent (never decoded: `headers` such as "Accept-Encoding: gzip"
// get the compressed bytes); the error names the URL, and the status and body start for non-2xx.
absl::StatusOr<std::string> HttpGet(const std::string& url, absl::Duration timeout = absl::Seconds(30),
                                    const std::vector<std::string>& headers = {});

}  // namespace podagent::testing
