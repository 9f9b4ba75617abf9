#pragma once
// Fake pods, images and inputs for unit tests and fuzz targets of BuildContainerSpec
// (agent/container/spec_builder.h): the seam between agent/ and runtime/, so nothing here touches
// the node. Pids are fake (pause is 4242) and get fake start times. Callers change the fields they
// are about on the copies returned.

#include <string>
#include <vector>

#include "agent/container/spec_builder.h"

namespace podagent::specfakes {

inline PodInfo FakePod() {
  PodInfo p;
  p.id = std::string(64, 'a');
  p.ready = true;
  p.pause_pid = 4242;
  p.cgroup_path = "/podagent/podaaaa";
  p.netns_path = "/run/podagent/netns/aaaa";
  p.hostname = "web-0";
  p.hosts_path = "/run/podagent/pods/aaaa/hosts";
  p.resolv_conf_path = "/run/podagent/pods/aaaa/resolv.conf";
  p.log_directory = "/var/log/pods/ns_web-0_uid";
  return p;
}

inline ImageInfo FakeImage(std::vector<std::string> cmd = {"sh"}) {
  ImageInfo i;
  i.id = "sha256:" + std::string(64, 'b');
  i.layer_dirs = {"/var/lib/podagent/layers/1"};
  i.cmd = std::move(cmd);
  return i;
}

// `passwd` and `group` are the image's /etc/passwd and /etc/group; kAppPasswd and kAppGroup
// add the user and group app (101:101).
inline constexpr char kAppPasswd[] = "root:x:0:0::/root:/bin/sh\napp:x:101:101::/home/app:/bin/sh\n";
inline constexpr char kAppGroup[] = "root:x:0:\napp:x:101:\n";
inline SpecInputs FakeInputs(std::string passwd = "root:x:0:0::/root:/bin/sh\n", std::string group = "root:x:0:\n") {
  SpecInputs in;
  in.start_time = [](pid_t pid) -> absl::StatusOr<uint64_t> { return uint64_t{1000} + pid; };
  in.id = std::string(64, 'c');
  in.state_dir = "/run/podagent/containers/cccc";
  in.layer_dir = "/var/lib/podagent/containers/cccc";
  in.image_passwd = std::move(passwd);
  in.image_group = std::move(group);
  return in;
}

inline cri::ContainerConfig FakeConfig() {
  cri::ContainerConfig c;
  c.mutable_metadata()->set_name("app");
  c.mutable_image()->set_image("busybox");
  return c;
}

}  // namespace podagent::specfakes
