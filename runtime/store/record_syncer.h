#pragma once
// RecordSyncer: makes PutUnsynced records of one kind durable on a thread of its own, so that a
// call whose record only has to be durable before something durable refers to it does not wait
// for the disk. Enqueue(id) after the PutUnsynced; WaitSynced(id) before writing anything durable
// that refers to the record. Records queued while a sync runs share the next one's fsync of the
// directory. The destructor syncs what is still queued, then joins the thread.

#include <set>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "runtime/store/record_store.h"

namespace podagent {

class RecordSyncer {
 public:
  RecordSyncer(RecordStore& store, std::string kind);
  ~RecordSyncer();
  RecordSyncer(const RecordSyncer&) = delete;
  RecordSyncer& operator=(const RecordSyncer&) = delete;

  void Enqueue(const std::string& id);
  // OK at once when `id` is neither queued nor being synced. Otherwise waits for its sync; when
  // that failed, syncs `id` again on the caller's thread and returns that result (a record whose
  // sync keeps failing fails every WaitSynced, never passes as durable).
  absl::Status WaitSynced(const std::string& id);
  // The record was removed: drops it from the queue and from the failed syncs, after any sync
  // of it that is running, so that nothing of a removed record stays behind.
  void Forget(const std::string& id);

 private:
  void Run();
  bool Idle(const std::string& id) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  RecordStore& store_;
  const std::string kind_;
  absl::Mutex mu_;
  std::set<std::string> queued_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> syncing_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> failed_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: started once every member above exists
};

}  // namespace podagent
