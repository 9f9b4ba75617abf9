#pragma once
// The report of `podagent cgroup`: a pod's cgroup tree (the pod, the pause, each container) with
// each cgroup's limits and usage side by side. Pure: the facts come in from the caller (who
// reads them from cgroupfs), the report goes out as text or JSON.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "agent/hostfs/cgroup_facts.h"

namespace podagent {

struct CgroupNode {
  std::string name;               // "pod", "pause" or the container's name
  std::string container_id;       // empty for the pod and the pause
  std::string path;               // the cgroup path, relative to the hierarchy roots
  std::vector<std::string> dirs;  // where its files are: one directory (v2), one per controller (v1)
  CgroupFacts facts;
};

struct CgroupReport {
  std::string pod_id, pod_namespace, pod_name;
  int version = 0;                  // 1 or 2
  std::string driver = "cgroupfs";  // how podagent names cgroups: plain paths, no systemd units
  std::string mount_root;
  std::vector<CgroupNode> nodes;   // the pod first, then its children
  std::vector<std::string> notes;  // cgroups that could not be read, and why
};

std::string CgroupReportText(const CgroupReport& r);
nlohmann::json CgroupReportJson(const CgroupReport& r);

// "10.0Mi", "512Ki", "unlimited" (v2 "max", or v1's page-rounded LLONG_MAX), "-" when absent.
std::string HumanBytes(const std::optional<uint64_t>& b);

}  // namespace podagent
