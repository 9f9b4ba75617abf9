#include "runtime/image/whiteout.h"

#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace podagent {

Whiteout ClassifyWhiteout(absl::string_view base, bool* invalid) {
  *invalid = false;
  if (base == kOpaqueWhiteout) return {WhiteoutKind::kOpaque, ""};
  if (!absl::ConsumePrefix(&base, kWhiteoutPrefix)) return {};
  if (base.empty() || base == "." || base == ".." || absl::StrContains(base, '/')) {
    *invalid = true;
    return {};
  }
  return {WhiteoutKind::kFile, std::string(base)};
}

}  // namespace podagent
