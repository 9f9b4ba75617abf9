#include "runtime/store/record_syncer.h"

#include <utility>
#include <vector>

#include "runtime/common/fmt_absl.h"
#include "spdlog/spdlog.h"

namespace podagent {

RecordSyncer::RecordSyncer(RecordStore& store, std::string kind)
    : store_(store), kind_(std::move(kind)), thread_([this] { Run(); }) {}

RecordSyncer::~RecordSyncer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void RecordSyncer::Enqueue(const std::string& id) {
  absl::MutexLock lock(&mu_);
  queued_.insert(id);
  failed_.erase(id);  // the new write is what the next sync covers
}

bool RecordSyncer::Idle(const std::string& id) const { return !queued_.count(id) && !syncing_.count(id); }

absl::Status RecordSyncer::WaitSynced(const std::string& id) {
  {
    absl::MutexLock lock(&mu_);
    auto idle = [this, &id]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return Idle(id); };
    mu_.Await(absl::Condition(&idle));
    if (!failed_.count(id)) return absl::OkStatus();
  }
  absl::Status st = store_.Sync(kind_, {id});
  absl::MutexLock lock(&mu_);
  if (st.ok()) failed_.erase(id);
  return st;
}

void RecordSyncer::Forget(const std::string& id) {
  absl::MutexLock lock(&mu_);
  queued_.erase(id);
  auto not_syncing = [this, &id]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return !syncing_.count(id); };
  mu_.Await(absl::Condition(&not_syncing));
  failed_.erase(id);
}

void RecordSyncer::Run() {
  for (;;) {
    std::vector<std::string> batch;
    {
      absl::MutexLock lock(&mu_);
      auto work = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return stopping_ || !queued_.empty(); };
      mu_.Await(absl::Condition(&work));
      if (queued_.empty()) return;  // stopping, and nothing left to sync
      batch.assign(queued_.begin(), queued_.end());
      syncing_ = std::move(queued_);
      queued_.clear();
    }
    absl::Status st = store_.Sync(kind_, batch);
    if (!st.ok()) spdlog::error("{} records: {}; a later WaitSynced retries", kind_, st.message());
    absl::MutexLock lock(&mu_);
    if (!st.ok()) failed_.insert(syncing_.begin(), syncing_.end());
    syncing_.clear();
  }
}

}  // namespace podagent
