#include "tests/bench/cri/cni_bound.h"

#include <sched.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runtime/cni/cni_executor.h"
#include "runtime/common/errors.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "runtime/ns/pinned_namespace.h"
#include "tests/bench/cri/timing.h"

namespace podagent::bench {
namespace {

// A fresh network namespace pinned at `path`: a short-lived thread of ours unshares it (only that
// thread changes namespace) and pins it through /proc/TID/ns/net before it exits.
absl::StatusOr<PinnedNamespace> NewNetns(const std::string& path) {
  absl::StatusOr<PinnedNamespace> pin = absl::InternalError("netns thread did not run");
  std::thread([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      pin = ErrnoError("unshare(CLONE_NEWNET)");
      return;
    }
    pin = PinnedNamespace::Pin(::gettid(), "net", path);
  }).join();
  return pin;
}

absl::StatusOr<NetworkConfigList> LoadList(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return ParseNetworkConfig(text, absl::EndsWith(path, ".conflist"), path);
}

// DEL through the whole chain in reverse with `prev`, as the spec and CniExecutor do.
absl::Status DelChain(const CniExecutor& cni, const NetworkConfigList& list, const nlohmann::json& prev,
                      const NetworkPod& pod) {
  for (auto it = list.plugins.rbegin(); it != list.plugins.rend(); ++it) {
    RETURN_IF_ERROR(cni.Exec("DEL", list, *it, prev, pod).status());
  }
  return absl::OkStatus();
}

// ADD through the chain in order; on failure what was added is deleted again (untimed).
absl::StatusOr<nlohmann::json> AddChain(const CniExecutor& cni, const NetworkConfigList& list, const NetworkPod& pod) {
  nlohmann::json prev;
  for (const nlohmann::json& plugin : list.plugins) {
    auto result = cni.Exec("ADD", list, plugin, prev, pod);
    if (!result.ok()) {
      (void)DelChain(cni, list, prev, pod);
      return result.status();
    }
    prev = std::move(*result);
  }
  return prev;
}

CniExecutor MakeExecutor(const CniBoundOptions& o) {
  CniOptions co;
  co.bin_dirs = o.bin_dirs;
  return CniExecutor(co);
}

// A pod of its own (fresh id, name, uid) whose namespace is pinned under `netns_dir`.
NetworkPod NewPod(const CniBoundOptions& o, const std::string& name) {
  NetworkPod pod;
  pod.id = NewId();
  pod.name = name;
  pod.namespace_ = "podagent-bench";
  pod.uid = pod.id.substr(0, 32);
  pod.netns = absl::StrCat(o.netns_dir, "/", pod.id.substr(0, 16));
  return pod;
}

absl::Status Round(const CniBoundOptions& o, Results& r) {
  ASSIGN_OR_RETURN(NetworkConfigList list, LoadList(o.conflist));
  CniExecutor cni = MakeExecutor(o);
  RETURN_IF_ERROR(MakeDirs(o.netns_dir, 0700));
  NetworkPod pod = NewPod(o, "bench-cni-bound");
  ASSIGN_OR_RETURN(PinnedNamespace netns, NewNetns(pod.netns));
  absl::StatusOr<nlohmann::json> added;
  double add_ms = ElapsedMs([&] { added = AddChain(cni, list, pod); });
  if (!added.ok()) return Annotate(added.status(), "cni chain ADD");
  absl::Status del;
  double del_ms = ElapsedMs([&] { del = DelChain(cni, list, *added, pod); });
  if (!del.ok()) return Annotate(del, "cni chain DEL");
  r.Add(kCniBoundAddRow, "ms", o.target, add_ms);
  r.Add(kCniBoundDelRow, "ms", o.target, del_ms);
  return netns.Remove();
}

// One of the K namespaces of a scale round and what its ADD and DEL returned.
struct ScalePod {
  NetworkPod pod;
  PinnedNamespace netns;
  absl::StatusOr<nlohmann::json> added = absl::UnknownError("not added");
  absl::Status deleted;
};

// The first error of the round, after every namespace is gone; a DEL is run wherever ADD worked.
absl::Status ScaleRound(const CniBoundOptions& o, int k, int clients, Results& r) {
  ASSIGN_OR_RETURN(NetworkConfigList list, LoadList(o.conflist));
  CniExecutor cni = MakeExecutor(o);
  RETURN_IF_ERROR(MakeDirs(o.netns_dir, 0700));
  std::vector<ScalePod> pods(static_cast<size_t>(k));
  for (ScalePod& p : pods) {
    p.pod = NewPod(o, "bench-cni-bound-k");
    ASSIGN_OR_RETURN(p.netns, NewNetns(p.pod.netns));  // made so far: removed by their destructors
  }
  double add_ms = ElapsedMs([&] {
    Parallel(k, clients, [&](int i) { pods[i].added = AddChain(cni, list, pods[i].pod); });
  });
  double del_ms = ElapsedMs([&] {
    Parallel(k, clients, [&](int i) {
      if (pods[i].added.ok()) pods[i].deleted = DelChain(cni, list, *pods[i].added, pods[i].pod);
    });
  });
  absl::Status first;
  for (ScalePod& p : pods) {
    if (!p.added.ok()) first.Update(Annotate(p.added.status(), "cni chain ADD"));
    first.Update(Annotate(p.deleted, "cni chain DEL"));
    first.Update(p.netns.Remove());
  }
  RETURN_IF_ERROR(first);
  std::string at = absl::StrCat(", K=", k);
  r.Add(absl::StrCat(kCniBoundScaleAddRow, at), "s", o.target, add_ms / 1000);
  r.Add(absl::StrCat(kCniBoundScaleDelRow, at), "s", o.target, del_ms / 1000);
  return absl::OkStatus();
}

}  // namespace

void RunCniBoundScale(const CniBoundOptions& options, int pods, int clients, Results& results) {
  absl::Status st = ScaleRound(options, pods, clients, results);
  if (!st.ok()) results.Error(options.target, absl::StrCat("cni bound at K=", pods, ": ", st.ToString()));
}

void RunCniBoundRound(const CniBoundOptions& options, Results& results) {
  absl::Status st = Round(options, results);
  if (!st.ok()) results.Error(options.target, "cni bound: " + st.ToString());
}

void CleanUpCniBound(const CniBoundOptions& options) {
  if (!PathExists(options.netns_dir)) return;
  (void)UnmountSharedMountDir(options.netns_dir);
  (void)RemoveTree(options.netns_dir);
}

}  // namespace podagent::bench
