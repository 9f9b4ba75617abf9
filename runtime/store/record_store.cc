#include "runtime/store/record_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/common/unique_fd.h"

namespace podagent {
namespace {

uint64_t NewTempCounter() {
  static std::atomic<uint64_t> next{0};
  return next.fetch_add(1);
}

bool SafeName(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

// WriteFileAtomic without its fsyncs: temp file, then rename, so a reader sees the old record or
// the new one, never a part.
absl::Status WriteRenamed(const std::string& path, const std::string& content, mode_t mode) {
  std::string tmp = absl::StrCat(path, ".tmp-", ::getpid(), "-", NewTempCounter());
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!fd) return ErrnoError(absl::StrCat("create ", tmp));
  absl::Status st;
  for (size_t off = 0; st.ok() && off < content.size();) {
    ssize_t n = ::write(fd.Get(), content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) st = ErrnoError(absl::StrCat("write ", tmp));
    if (n > 0) off += static_cast<size_t>(n);
  }
  fd.Reset();
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) st = ErrnoError(absl::StrCat("rename ", tmp, " to ", path));
  if (!st.ok()) ::unlink(tmp.c_str());
  return st;
}

}  // namespace

std::string RecordStore::PathOf(const std::string& kind, const std::string& id) const {
  return absl::StrCat(dir_, "/", kind, "/", id, ".json");
}

absl::Status RecordStore::Put(const std::string& kind, const std::string& id, nlohmann::json record) {
  return Write(kind, id, std::move(record), /*sync=*/true);
}

absl::Status RecordStore::PutUnsynced(const std::string& kind, const std::string& id, nlohmann::json record) {
  return Write(kind, id, std::move(record), /*sync=*/false);
}

absl::Status RecordStore::Sync(const std::string& kind, const std::vector<std::string>& ids) {
  if (!SafeName(kind)) return absl::InvalidArgumentError(absl::StrCat("record kind ", kind, " is not a plain name"));
  for (const std::string& id : ids) {
    if (!SafeName(id)) continue;  // never written: Put refuses such names
    std::string path = PathOf(kind, id);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd && errno == ENOENT) continue;
    if (!fd) return ErrnoError(absl::StrCat("open ", path));
    if (::fsync(fd.Get()) != 0) return ErrnoError(absl::StrCat("fsync ", path));
  }
  absl::Status st = SyncDir(absl::StrCat(dir_, "/", kind));
  if (absl::IsNotFound(st)) return absl::OkStatus();  // nothing of this kind was ever written
  return st;
}

absl::Status RecordStore::Write(const std::string& kind, const std::string& id, nlohmann::json record, bool sync) {
  if (!SafeName(kind) || !SafeName(id)) {
    return absl::InvalidArgumentError(absl::StrCat("record name ", kind, "/", id, " is not a plain name"));
  }
  RETURN_IF_ERROR(MakeDirs(absl::StrCat(dir_, "/", kind), 0700));
  record["version"] = kRecordVersion;
  absl::Status st = sync ? WriteFileAtomic(PathOf(kind, id), record.dump(), 0600)
                         : WriteRenamed(PathOf(kind, id), record.dump(), 0600);
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
