#include "runtime/image/layer_index.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/common/unique_fd.h"
#include "runtime/image/reference.h"
#include "runtime/image/temp_owner.h"

namespace podagent {
namespace {

constexpr char kTempPrefix[] = ".tmp-";
constexpr size_t kMaxIdLength = 20;

// Writes `content` to `path` only if `path` does not exist: temp file, fsync, link(2) (which
// never replaces), fsync of the directory. AlreadyExists when `path` was there.
absl::Status CreateFileOnce(const std::string& dir, const std::string& path, const std::string& content) {
  std::string tmp = absl::StrCat(dir, "/", OwnedTempName(kTempPrefix));
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return ErrnoError(absl::StrCat("create ", tmp));
  absl::Status st;
  if (::write(fd.Get(), content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
    st = ErrnoError(absl::StrCat("write ", tmp));
  } else if (::fsync(fd.Get()) != 0) {
    st = ErrnoError(absl::StrCat("fsync ", tmp));
  } else if (::link(tmp.c_str(), path.c_str()) != 0) {
    st = errno == EEXIST ? absl::AlreadyExistsError(path) : ErrnoError(absl::StrCat("link ", tmp, " to ", path));
  }
  ::unlink(tmp.c_str());
  RETURN_IF_ERROR(st);
  return SyncDir(dir);
}

}  // namespace

LayerIndex::LayerIndex(std::string index_dir, std::string layers_dir)
    : index_dir_(std::move(index_dir)), layers_dir_(std::move(layers_dir)) {}

absl::Status LayerIndex::Init() {
  RETURN_IF_ERROR(MakeDirs(index_dir_, 0700));
  ASSIGN_OR_RETURN(auto names, ListDir(index_dir_));
  for (const auto& n : names) {
    if (TempOwnerGone(n, kTempPrefix)) ::unlink(absl::StrCat(index_dir_, "/", n).c_str());
  }
  return absl::OkStatus();
}

bool LayerIndex::IsShortId(const std::string& name) {
  return !name.empty() && name.size() <= kMaxIdLength && name[0] != '0' &&
         std::all_of(name.begin(), name.end(), [](char c) { return absl::ascii_isdigit(c); });
}

std::string LayerIndex::PathOf(const std::string& diff_id) const {
  return absl::StrCat(index_dir_, "/", diff_id.substr(7));
}

absl::StatusOr<std::string> LayerIndex::Lookup(const std::string& diff_id) const {
  if (!IsSha256Digest(diff_id)) return absl::InvalidArgumentError(absl::StrCat("invalid diff_id ", diff_id));
  auto content = ReadFile(PathOf(diff_id));
  if (!content.ok()) {
    if (absl::IsNotFound(content.status())) return absl::NotFoundError(absl::StrCat("layer ", diff_id, " is not unpacked"));
    return content.status();
  }
  std::string id(absl::StripAsciiWhitespace(*content));
  if (!IsShortId(id)) return absl::DataLossError(absl::StrCat("layer index ", PathOf(diff_id), ": bad id \"", id, "\""));
  return id;
}

absl::StatusOr<std::string> LayerIndex::Claim() {
  absl::MutexLock lock(&mu_);
  if (next_ == 0) {
    next_ = 1;
    ASSIGN_OR_RETURN(auto names, ListDir(layers_dir_));
    for (const auto& n : names) {
      long v = 0;
      if (IsShortId(n) && absl::SimpleAtoi(n, &v)) next_ = std::max(next_, v + 1);
    }
  }
  for (int attempt = 0; attempt < 10000; ++attempt) {
    std::string id = absl::StrCat(next_++);
    std::string dir = absl::StrCat(layers_dir_, "/", id);
    if (::mkdir(dir.c_str(), 0700) == 0) return id;
    if (errno != EEXIST) return ErrnoError(absl::StrCat("mkdir ", dir));
  }
  return absl::ResourceExhaustedError(absl::StrCat("no free layer id in ", layers_dir_));
}

absl::StatusOr<std::string> LayerIndex::Publish(const std::string& diff_id, const std::string& id) {
  if (!IsSha256Digest(diff_id)) return absl::InvalidArgumentError(absl::StrCat("invalid diff_id ", diff_id));
  absl::Status st = CreateFileOnce(index_dir_, PathOf(diff_id), id);
  if (absl::IsAlreadyExists(st)) return Lookup(diff_id);
  RETURN_IF_ERROR(st);
  return id;
}

absl::Status LayerIndex::Forget(const std::string& diff_id) {
  if (!IsSha256Digest(diff_id)) return absl::InvalidArgumentError(absl::StrCat("invalid diff_id ", diff_id));
  std::string path = PathOf(diff_id);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoError(absl::StrCat("unlink ", path));
  return absl::OkStatus();
}

std::map<std::string, std::string> LayerIndex::All() const {
  std::map<std::string, std::string> out;
  auto names = ListDir(index_dir_);
  if (!names.ok()) return out;
  for (const auto& n : *names) {
    std::string diff_id = "sha256:" + n;
    if (!IsSha256Digest(diff_id)) continue;
    auto id = Lookup(diff_id);
    if (id.ok()) out[diff_id] = *id;
  }
  return out;
}

}  // namespace podagent
