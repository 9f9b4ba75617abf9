#include "runtime/store/record_store.h"

#include <unistd.h>

#include <cerrno>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"

namespace podagent {
namespace {

bool SafeName(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string RecordStore::PathOf(const std::string& kind, const std::string& id) const {
  return absl::StrCat(dir_, "/", kind, "/", id, ".json");
}

absl::Status RecordStore::Put(const std::string& kind, const std::string& id, nlohmann::json record) {
  if (!SafeName(kind) || !SafeName(id)) {
    return absl::InvalidArgumentError(absl::StrCat("record name ", kind, "/", id, " is not a plain name"));
  }
  RETURN_IF_ERROR(MakeDirs(absl::StrCat(dir_, "/", kind), 0700));
  record["version"] = kRecordVersion;
  absl::Status st = WriteFileAtomic(PathOf(kind, id), record.dump(), 0600);
  if (absl::IsResourceExhausted(st)) {
    return Annotate(st, absl::StrCat("disk full writing record under ", dir_, " (the previous record is kept; free space and retry)"));
  }
  return st;
}

absl::StatusOr<nlohmann::json> RecordStore::Get(const std::string& kind, const std::string& id) const {
  if (!SafeName(kind) || !SafeName(id)) return absl::NotFoundError(absl::StrCat("record ", kind, "/", id));
  ASSIGN_OR_RETURN(std::string text, ReadFile(PathOf(kind, id)));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::DataLossError(absl::StrCat("record ", PathOf(kind, id), " is not a JSON object"));
  }
  return j;
}

absl::Status RecordStore::Remove(const std::string& kind, const std::string& id) {
  if (!SafeName(kind) || !SafeName(id)) return absl::OkStatus();
  std::string path = PathOf(kind, id);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoError(absl::StrCat("unlink ", path));
  return absl::OkStatus();
}

LoadedRecords RecordStore::LoadAll(const std::string& kind) const {
  LoadedRecords out;
  std::string dir = absl::StrCat(dir_, "/", kind);
  auto names = ListDir(dir);
  if (!names.ok()) {
    if (!absl::IsNotFound(names.status())) out.problems.push_back(std::string(names.status().message()));
    return out;
  }
  for (const std::string& name : *names) {
    std::string path = absl::StrCat(dir, "/", name);
    if (absl::StrContains(name, ".tmp-")) {
      ::unlink(path.c_str());  // a write that never reached its rename
      continue;
    }
    if (!absl::EndsWith(name, ".json")) continue;
    std::string id = name.substr(0, name.size() - 5);
    auto record = Get(kind, id);
    if (!record.ok()) {
      out.problems.push_back(absl::StrCat(path, ": ", record.status().message()));
      continue;
    }
    if (!record->contains("version") || !(*record)["version"].is_number_integer() ||
        (*record)["version"].get<int>() > kRecordVersion) {
      out.problems.push_back(absl::StrCat(path, ": unsupported record version"));
      continue;
    }
    out.records.emplace_back(id, std::move(*record));
  }
  return out;
}

}  // namespace podagent
