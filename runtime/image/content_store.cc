#include "runtime/image/content_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/image/reference.h"
#include "runtime/image/temp_owner.h"

namespace podagent {
namespace {

constexpr char kBlobTempPrefix[] = "blob-";

absl::Status CheckDigest(absl::string_view digest) {
  if (!IsSha256Digest(digest)) return absl::InvalidArgumentError(absl::StrCat("invalid digest \"", digest, "\""));
  return absl::OkStatus();
}

}  // namespace

BlobWriter::BlobWriter(std::string digest, int64_t expected_size, std::string temp_path, std::string final_path,
                       UniqueFd fd)
    : digest_(std::move(digest)),
      expected_size_(expected_size),
      temp_path_(std::move(temp_path)),
      final_path_(std::move(final_path)),
      fd_(std::move(fd)) {}

BlobWriter::~BlobWriter() {
  if (!committed_) ::unlink(temp_path_.c_str());
}

absl::Status BlobWriter::Write(absl::string_view data) {
  if (expected_size_ >= 0 && written_ + static_cast<int64_t>(data.size()) > expected_size_) {
    return absl::DataLossError(
        absl::StrCat("blob ", digest_, ": more data than its expected size of ", expected_size_, " bytes"));
  }
  hash_.Update(data);
  written_ += static_cast<int64_t>(data.size());
  while (!data.empty()) {
    ssize_t n = ::write(fd_.Get(), data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(absl::StrCat("write ", temp_path_));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status BlobWriter::Reset() {
  if (::ftruncate(fd_.Get(), 0) != 0 || ::lseek(fd_.Get(), 0, SEEK_SET) != 0) {
    return ErrnoError(absl::StrCat("truncate ", temp_path_));
  }
  hash_.Reset();
  written_ = 0;
  return absl::OkStatus();
}

absl::Status BlobWriter::Commit() {
  if (expected_size_ >= 0 && written_ != expected_size_) {
    return absl::DataLossError(absl::StrCat("blob ", digest_, ": size mismatch: expected ", expected_size_,
                                            " bytes, got ", written_));
  }
  std::string got = hash_.Digest();
  if (got != digest_) {
    return absl::DataLossError(absl::StrCat("blob ", digest_, ": digest mismatch: content hashes to ", got));
  }
  // No fsync: a blob is content-addressed and checked wherever it is used (Read verifies the
  // digest, an unpack the diff_id), and a blob found torn after a crash is dropped and fetched
  // again (ReadVerified, StoreImage). The image record that makes an image visible is synced.
  if (::fchmod(fd_.Get(), 0444) != 0) return ErrnoError(absl::StrCat("chmod ", temp_path_));
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    return ErrnoError(absl::StrCat("rename ", temp_path_, " to ", final_path_));
  }
  committed_ = true;
  return absl::OkStatus();
}

absl::Status ContentStore::Init() {
  RETURN_IF_ERROR(MakeDirs(dir_ + "/sha256", 0700));
  RETURN_IF_ERROR(MakeDirs(dir_ + "/tmp", 0700));
  // Only temps whose writer is gone: `podagent image import` runs beside a live daemon.
  ASSIGN_OR_RETURN(auto names, ListDir(dir_ + "/tmp"));
  for (const auto& n : names) {
    if (TempOwnerGone(n, kBlobTempPrefix) || !absl::StartsWith(n, kBlobTempPrefix)) {
      RETURN_IF_ERROR(RemoveTree(absl::StrCat(dir_, "/tmp/", n)));
    }
  }
  return absl::OkStatus();
}

std::string ContentStore::BlobPath(absl::string_view digest) const {
  return absl::StrCat(dir_, "/sha256/", digest.substr(7));
}

bool ContentStore::Has(absl::string_view digest) const {
  return IsSha256Digest(digest) && PathExists(BlobPath(digest));
}

absl::StatusOr<std::string> ContentStore::Read(absl::string_view digest, int64_t max_size) const {
  RETURN_IF_ERROR(CheckDigest(digest));
  std::string path = BlobPath(digest);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return ErrnoError(absl::StrCat("blob ", digest, ": stat ", path));
  if (st.st_size > max_size) {
    return absl::FailedPreconditionError(absl::StrCat("blob ", digest, " is larger than ", max_size, " bytes"));
  }
  ASSIGN_OR_RETURN(std::string body, ReadFile(path));
  if (std::string got = Sha256Digest(body); got != digest) {
    ::unlink(path.c_str());  // torn by a crash (blobs are not fsynced): fetched again by the next pull
    return absl::DataLossError(absl::StrCat("blob ", digest, " on disk hashes to ", got,
                                            " (cut short by a crash?); removed, pull the image again"));
  }
  return body;
}

absl::StatusOr<std::unique_ptr<BlobWriter>> ContentStore::NewWriter(absl::string_view digest, int64_t expected_size) {
  RETURN_IF_ERROR(CheckDigest(digest));
  std::string temp = absl::StrCat(dir_, "/tmp/", OwnedTempName(kBlobTempPrefix));
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return ErrnoError(absl::StrCat("create ", temp));
  return std::make_unique<BlobWriter>(std::string(digest), expected_size, temp, BlobPath(digest), std::move(fd));
}

absl::Status ContentStore::Put(absl::string_view digest, absl::string_view data) {
  if (Has(digest)) return absl::OkStatus();
  ASSIGN_OR_RETURN(auto writer, NewWriter(digest, static_cast<int64_t>(data.size())));
  RETURN_IF_ERROR(writer->Write(data));
  return writer->Commit();
}

absl::Status ContentStore::Ensure(absl::string_view digest, int64_t size, const FetchFn& fetch,
                                  const InterruptFn& interrupt) {
  RETURN_IF_ERROR(CheckDigest(digest));
  if (Has(digest)) return absl::OkStatus();
  return flights_.Do(std::string(digest), [&]() -> absl::Status {
    if (Has(digest)) return absl::OkStatus();  // finished by a flight that just ended
    {
      absl::MutexLock lock(&mu_);
      ++fetch_count_;
    }
    ASSIGN_OR_RETURN(auto writer, NewWriter(digest, size));
    RETURN_IF_ERROR(fetch(*writer));
    return writer->Commit();
  }, nullptr, interrupt);
}

absl::Status ContentStore::Remove(absl::string_view digest) {
  RETURN_IF_ERROR(CheckDigest(digest));
  std::string path = BlobPath(digest);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoError(absl::StrCat("unlink ", path));
  return absl::OkStatus();
}

std::vector<std::string> ContentStore::List() const {
  std::vector<std::string> out;
  auto names = ListDir(dir_ + "/sha256");
  if (!names.ok()) return out;
  for (const auto& n : *names) {
    std::string d = "sha256:" + n;
    if (IsSha256Digest(d)) out.push_back(d);
  }
  return out;
}

int64_t ContentStore::fetch_count() const {
  absl::MutexLock lock(&mu_);
  return fetch_count_;
}

}  // namespace podagent
