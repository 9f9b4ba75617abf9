#pragma once
// ImageStore: the node's images on disk.
//
//   <root>/images/blobs/sha256/<hex>   verified blobs (ContentStore)
//   <root>/images/records/images/      one JSON record per image (RecordStore)
//   <root>/images/layers/<hex>         the layer index: whole diff_id -> short id (LayerIndex)
//   <root>/l/<n>                       unpacked layers, stacked by overlayfs (n a counter, short on
//                                      purpose: lowerdir strings are limited to a page)
//   <root>/trash/                      layer trees and blobs being deleted off the request path
//                                      (TreeReaper)
//
// The store is private: <root>, images/ and l/ are 0700, so the set-user-ID files, FIFOs and
// anything else an image brings are unreachable by host users (CVE-2021-41103 in containerd).
// Layer directories are found through the index by the whole diff_id, never by a name prefix.
// A store of the older layout (l/<12 hex of diff_id>) is migrated at Init: a directory is adopted
// when exactly one recorded diff_id has its prefix, and left alone (logged) otherwise.
//
// Layers are shared between images and reference-counted from the records: removing an image
// deletes the blobs and layer directories no other image (nor a container, via `in_use`) needs.
// An image removed while a container uses it is hidden and kept until the container is gone.
// Pulls hold a Lease on what they are fetching so garbage collection never races them.

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "runtime/common/tree_reaper.h"
#include "runtime/image/content_store.h"
#include "runtime/image/image_record.h"
#include "runtime/image/layer_index.h"
#include "runtime/image/single_flight.h"
#include "runtime/image/unpack.h"
#include "runtime/store/record_store.h"

namespace podagent {

struct StoreUsage {
  uint64_t bytes = 0;
  uint64_t inodes = 0;
};

// bytes (allocated blocks) and inodes below `path`, not crossing mount points; 0 when absent.
StoreUsage MeasureTree(const std::string& path);

class ImageStore {
 public:
  // `podagent image import` unpacks archives into <images>/<this><owner> (see temp_owner.h).
  static constexpr char kImportTempPrefix[] = ".tmp-import-";

  explicit ImageStore(std::string root_dir, UnpackOptions unpack_options = {});

  // Creates directories (0700), removes temp files and unfinished layer dirs whose owning process
  // is gone (never another live process's), loads the records, migrates an old-layout store.
  // Returns the problems met (unreadable records), one line each.
  absl::StatusOr<std::vector<std::string>> Init();

  // Re-reads the records (another process may have imported images).
  absl::Status Reload();

  ContentStore& content() { return content_; }
  const std::string& images_dir() const { return images_dir_; }
  const std::string& layers_dir() const { return layers_dir_; }

  // The unpacked layer's directory; "" when the layer is not unpacked on this node.
  std::string LayerDir(const std::string& diff_id) const;
  bool HasLayer(const std::string& diff_id) const;
  // Unpacks the layer's blob (which must be present) into its directory unless it is there;
  // checks the diff_id. Single-flight per diff_id.
  absl::Status EnsureLayer(const LayerRef& layer);

  // Adds the image or merges tags/digests into an existing record; a tag moves from any other
  // image to this one. Persisted before it returns.
  absl::StatusOr<ImageRecord> Commit(ImageRecord record);

  // By id ("sha256:<hex>" or bare hex), tag or digest reference, or unique id prefix.
  absl::StatusOr<ImageRecord> Find(const std::string& ref) const;
  std::vector<ImageRecord> List() const;

  // Removes the image by id; idempotent (NotFound only for a bad id). Images in `in_use` are
  // hidden and kept until a later collection finds them unused.
  absl::Status Remove(const std::string& id, const std::set<std::string>& in_use);
  // Deletes hidden images no longer in use and blobs/layers nothing references.
  absl::Status CollectGarbage(const std::set<std::string>& in_use);

  // Keeps digests (blobs or diff_ids) from garbage collection while alive.
  class Lease {
   public:
    Lease(ImageStore& store, std::vector<std::string> digests);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

   private:
    ImageStore& store_;
    std::vector<std::string> digests_;
  };

  // Blobs, records and layers, including layer trees still being deleted.
  StoreUsage ImagesUsage() const;
  // Waits until removed layers are gone from disk (tests; RemoveImage does not wait).
  bool WaitLayersDeleted(absl::Duration timeout) { return reaper_.WaitEmpty(timeout); }

 private:
  std::vector<std::string> LoadRecords();
  void MigrateOldLayers();
  absl::Status UnpackLayer(const LayerRef& layer);
  absl::Status CollectLayers(const std::set<std::string>& refs) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Persist(const ImageRecord& r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::set<std::string> ReferencedLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::string root_dir_, images_dir_, layers_dir_;
  UnpackOptions unpack_options_;
  ContentStore content_;
  RecordStore records_store_;
  LayerIndex index_;
  SingleFlight layer_flights_;
  mutable absl::Mutex mu_;
  std::map<std::string, ImageRecord> images_ ABSL_GUARDED_BY(mu_);  // by id
  std::multiset<std::string> leased_ ABSL_GUARDED_BY(mu_);
  TreeReaper reaper_;  // last: stopped before anything it might touch goes away
};

}  // namespace podagent
