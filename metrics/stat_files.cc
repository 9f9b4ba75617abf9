#include "metrics/stat_files.h"

#include <cerrno>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runtime/common/files.h"

namespace podagent {

std::optional<uint64_t> ParseUint(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (text == "max") return kUnlimited;
  uint64_t v = 0;
  if (!absl::SimpleAtoi(text, &v)) return std::nullopt;
  return v;
}

std::optional<int64_t> ParseInt(absl::string_view text) {
  int64_t v = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &v)) return std::nullopt;
  return v;
}

std::map<std::string, uint64_t, std::less<>> ParseKeyValues(absl::string_view text) {
  std::map<std::string, uint64_t, std::less<>> out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(absl::StripAsciiWhitespace(line), absl::MaxSplits(' ', 1));
    uint64_t v = 0;
    if (kv.first.empty() || !absl::SimpleAtoi(absl::StripAsciiWhitespace(kv.second), &v)) continue;
    out[std::string(kv.first)] = v;
  }
  return out;
}

PsiStats ParsePsi(absl::string_view text) {
  PsiStats out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    std::optional<uint64_t>* field = nullptr;
    if (absl::StartsWith(line, "some ")) field = &out.some_us;
    if (absl::StartsWith(line, "full ")) field = &out.full_us;
    if (field == nullptr) continue;
    for (absl::string_view word : absl::StrSplit(line, ' ', absl::SkipWhitespace())) {
      uint64_t v = 0;
      if (absl::ConsumePrefix(&word, "total=") && absl::SimpleAtoi(word, &v)) *field = v;
    }
  }
  return out;
}

uint64_t CountLines(absl::string_view text) {
  uint64_t n = 0;
  for ([[maybe_unused]] absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) ++n;
  return n;
}

std::optional<std::string> ReadOptionalFile(const std::string& path) {
  if (path.empty()) return std::nullopt;
  absl::StatusOr<std::string> content = ReadFile(path);
  if (!content.ok()) return std::nullopt;
  return *std::move(content);
}

std::optional<uint64_t> ReadUintFile(const std::string& path) {
  std::optional<std::string> content = ReadOptionalFile(path);
  if (!content) return std::nullopt;
  return ParseUint(*content);
}

std::optional<int64_t> ReadIntFile(const std::string& path) {
  std::optional<std::string> content = ReadOptionalFile(path);
  if (!content) return std::nullopt;
  return ParseInt(*content);
}

std::map<std::string, uint64_t, std::less<>> ReadKeyValuesFile(const std::string& path) {
  std::optional<std::string> content = ReadOptionalFile(path);
  if (!content) return {};
  return ParseKeyValues(*content);
}

std::optional<uint64_t> Lookup(const std::map<std::string, uint64_t, std::less<>>& kv, absl::string_view key) {
  auto it = kv.find(key);
  if (it == kv.end()) return std::nullopt;
  return it->second;
}

}  // namespace podagent
