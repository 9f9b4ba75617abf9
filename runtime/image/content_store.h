#pragma once
// ContentStore: blobs addressed by sha256 under <dir>/sha256/<hex>.
//
// A blob is streamed into <dir>/tmp/, its size and digest checked while it is written, and it is
// renamed into place only once verified: a partial or corrupt blob is never visible under its
// digest while the node runs. Blobs are not fsynced (a crash may cut one short): Read verifies
// the digest and the unpacker the diff_id, and a bad blob is removed and fetched again.
// Ensure() is single-flight per digest: concurrent pulls of one image, or of images that share
// layers, fetch each blob once and all wait for that one fetch.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "runtime/common/unique_fd.h"
#include "runtime/image/digest.h"
#include "runtime/image/single_flight.h"

namespace podagent {

class BlobWriter {
 public:
  BlobWriter(std::string digest, int64_t expected_size, std::string temp_path, std::string final_path, UniqueFd fd);
  ~BlobWriter();  // removes the temp file unless committed
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  // Appends; fails as soon as more than the expected size arrives.
  absl::Status Write(absl::string_view data);
  // Drops what was written (a retry starts again from zero).
  absl::Status Reset();
  // Checks size and digest, renames into place (no fsync: readers verify, see Read). DataLoss on
  // mismatch; the temp is removed.
  absl::Status Commit();
  int64_t written() const { return written_; }
  const std::string& digest() const { return digest_; }

 private:
  std::string digest_;
  int64_t expected_size_;  // -1: unknown
  std::string temp_path_, final_path_;
  UniqueFd fd_;
  Sha256 hash_;
  int64_t written_ = 0;
  bool committed_ = false;
};

class ContentStore {
 public:
  using FetchFn = std::function<absl::Status(BlobWriter&)>;

  explicit ContentStore(std::string dir) : dir_(std::move(dir)) {}

  // Creates the directories and removes temp files left by a crash.
  absl::Status Init();

  std::string BlobPath(absl::string_view digest) const;
  bool Has(absl::string_view digest) const;
  // The blob's bytes, digest verified: a blob that no longer matches its digest (blobs are not
  // fsynced, so a crash may cut one short) is removed and DataLoss returned.
  absl::StatusOr<std::string> Read(absl::string_view digest, int64_t max_size = 64 << 20) const;
  absl::StatusOr<std::unique_ptr<BlobWriter>> NewWriter(absl::string_view digest, int64_t expected_size);
  // Stores a small blob held in memory, verifying its digest.
  absl::Status Put(absl::string_view digest, absl::string_view data);
  // Makes the blob present: returns at once when it is, else runs `fetch` once for all concurrent
  // callers asking for this digest, and commits what it wrote. A caller waiting on another's
  // fetch gives up when `interrupt` says so (see SingleFlight).
  absl::Status Ensure(absl::string_view digest, int64_t size, const FetchFn& fetch,
                      const InterruptFn& interrupt = nullptr);
  // Absent blobs are fine.
  absl::Status Remove(absl::string_view digest);
  std::vector<std::string> List() const;  // digests present
  // Number of fetches run by Ensure (tests: a second pull transfers no blob).
  int64_t fetch_count() const;

  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  SingleFlight flights_;
  mutable absl::Mutex mu_;
  int64_t fetch_count_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace podagent
