#pragma once
// LayerIndex: which directory under l/ holds which layer. Unpacked layers live in l/<n>, n a
// decimal counter (overlay's lowerdir option is limited to a page, so names stay short); the
// layer they hold is named by its whole diff_id in the store's own index, one file per layer:
//
//   <index_dir>/<64 hex of the diff_id>   contains "<n>"
//
// A directory is never taken for a layer by its name alone. Entries are created with link(2),
// which never replaces: when two processes (the daemon and `podagent image import`) unpack the
// same layer at once, the first to publish wins and the other discards its copy, so a directory
// a container may already use is never orphaned. Short ids are claimed with mkdir(2), which is
// atomic across processes.

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace podagent {

class LayerIndex {
 public:
  LayerIndex(std::string index_dir, std::string layers_dir);

  // Creates the index directory (0700).
  absl::Status Init();

  // The short id of `diff_id`; NotFound when it has none.
  absl::StatusOr<std::string> Lookup(const std::string& diff_id) const;
  // Claims a fresh short id by creating the empty directory l/<n> (0700).
  absl::StatusOr<std::string> Claim();
  // Records diff_id -> id. When another process published `diff_id` first, returns its id (and
  // the caller must discard its own directory).
  absl::StatusOr<std::string> Publish(const std::string& diff_id, const std::string& id);
  // Drops the entry (idempotent).
  absl::Status Forget(const std::string& diff_id);
  // Every entry: diff_id -> short id. Unreadable entries are skipped.
  std::map<std::string, std::string> All() const;

  // True for names Claim makes ("1", "42"): the only l/ entries the store manages by number.
  static bool IsShortId(const std::string& name);

 private:
  std::string PathOf(const std::string& diff_id) const;

  std::string index_dir_, layers_dir_;
  absl::Mutex mu_;
  long next_ ABSL_GUARDED_BY(mu_) = 0;  // next id to try; 0 until the first Claim scans l/
};

}  // namespace podagent
