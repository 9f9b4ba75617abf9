#pragma once
// RecordStore: durable JSON records, one file per record, grouped by kind:
//   <dir>/<kind>/<id>.json
// Every write is atomic (temp + fsync + rename + fsync dir) and finished before Put returns.
// LoadAll skips (and reports) torn or corrupt records instead of failing: one bad record never
// stops the daemon. Each record carries a "version" field; Put stamps kRecordVersion.
// A failed Put leaves the record as it was: the old file is only replaced by the rename. On a full
// disk Put fails with ResourceExhausted ("disk full writing record under <dir>...").
// PutUnsynced writes the same way without the two fsyncs: the record survives a crash of the
// daemon (the page cache keeps it) but perhaps not a power cut. Only for an intent record that
// a later Put of the same id makes durable, and whose loss at a power cut leaves nothing that
// recovery would not find (see each caller).
// The methods are virtual so that tests can put a failing store behind a manager.

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace podagent {

inline constexpr int kRecordVersion = 1;

struct LoadedRecords {
  std::vector<std::pair<std::string, nlohmann::json>> records;  // (id, record), sorted by id
  std::vector<std::string> problems;  // one line per skipped file: "<path>: <why>"
};

class RecordStore {
 public:
  explicit RecordStore(std::string dir) : dir_(std::move(dir)) {}
  virtual ~RecordStore() = default;

  virtual absl::Status Put(const std::string& kind, const std::string& id, nlohmann::json record);
  virtual absl::Status PutUnsynced(const std::string& kind, const std::string& id, nlohmann::json record);
  // Makes earlier PutUnsynced writes of `ids` durable: an fsync of each record that still exists,
  // then one of the kind's directory, which holds their renames. A record removed meanwhile is
  // skipped; one replaced meanwhile is synced as it is now.
  virtual absl::Status Sync(const std::string& kind, const std::vector<std::string>& ids);
  virtual absl::StatusOr<nlohmann::json> Get(const std::string& kind, const std::string& id) const;
  // Absent records are fine (idempotent).
  virtual absl::Status Remove(const std::string& kind, const std::string& id);
  virtual LoadedRecords LoadAll(const std::string& kind) const;

  const std::string& dir() const { return dir_; }

 private:
  std::string PathOf(const std::string& kind, const std::string& id) const;
  absl::Status Write(const std::string& kind, const std::string& id, nlohmann::json record, bool sync);
  std::string dir_;
};

}  // namespace podagent
