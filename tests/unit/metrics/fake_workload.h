#pragma once
// A WorkloadSource with fixed lists, for collector and stats tests.

#include <vector>

#include "metrics/workload.h"

namespace podagent::testing {

class FakeWorkload : public WorkloadSource {
 public:
  std::vector<PodSnapshot> pods;
  std::vector<ContainerSnapshot> containers;
  std::vector<PodSnapshot> Pods() const override { return pods; }
  std::vector<ContainerSnapshot> Containers() const override { return containers; }
};

// The pod and container of the fixture trees (tests/fixtures/cgroup/*/podagent/podaaa/ctr1).
inline PodSnapshot FixturePod() {
  PodSnapshot p;
  p.id = "aaa";
  p.name = "web";
  p.namespace_ = "default";
  p.uid = "uid-1";
  p.state = "ready";
  p.cgroup_path = "/podagent/podaaa";
  p.created_at_ns = 1700000000LL * 1000000000LL;
  p.labels = {{"app", "web"}};
  return p;
}

inline ContainerSnapshot FixtureContainer() {
  ContainerSnapshot c;
  c.id = "ctr1";
  c.pod_id = "aaa";
  c.name = "nginx";
  c.image = "docker.io/library/nginx:1.25";
  c.state = "running";
  c.cgroup_path = "/podagent/podaaa/ctr1";
  c.started_at_ns = 1700000010LL * 1000000000LL;
  c.labels = {{"tier", "front"}};
  return c;
}

}  // namespace podagent::testing
