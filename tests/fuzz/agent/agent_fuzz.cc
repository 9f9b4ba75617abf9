#include "tests/fuzz/agent/agent_fuzz.h"

#include <sys/mman.h>
#include <unistd.h>

#include <string>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "agent/config.h"
#include "agent/container/container_resources.h"
#include "agent/container/spec_builder.h"
#include "agent/image/image_convert.h"
#include "agent/sandbox/pod_config.h"
#include "runtime/cni/cni_result.h"
#include "runtime/common/unique_fd.h"
#include "runtime/image/reference.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/lib/spec_fakes.h"
#include "runtime/common/json_text.h"

namespace podagent {
namespace {

// Absolute, and no ".." component: what a path the agent hands to the runtime must be.
bool CleanAbsolute(const std::string& path) {
  if (!absl::StartsWith(path, "/")) return false;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part == "..") return false;
  }
  return true;
}

void CreateContainer(const cri::CreateContainerRequest& req) {
  auto built = BuildContainerSpec(req.config(), FuzzPod(), FuzzImage(), FuzzInputs());
  if (!built.ok()) return;
  for (const MountSpec& m : built->spec.mounts) FuzzCheck(CleanAbsolute(m.destination), "mount destination clean");
  FuzzCheck(built->log_path.empty() ||
            (absl::StartsWith(built->log_path, FuzzPod().log_directory + "/") && CleanAbsolute(built->log_path)),
        "log path inside the pod's log directory");
}

void RunPodSandbox(const cri::RunPodSandboxRequest& req) {
  auto rec = PodRecordFromConfig(req.config(), req.runtime_handler(), Config{});
  if (!rec.ok()) return;
  FuzzCheck(rec->hostname.size() <= 64, "hostname within HOST_NAME_MAX");
  FuzzCheck(rec->log_directory.empty() || absl::StartsWith(rec->log_directory, "/"), "log directory absolute");
}

void CheckReference(const std::string& ref) {
  auto r = ParseImageReference(ref);
  if (!r.ok()) return;
  auto again = ParseImageReference(r->String());
  FuzzCheck(again.ok() && again->String() == r->String(), "reference round trip");
}

template <typename Message>
bool Parse(const uint8_t* data, size_t size, Message* m) {
  return m->ParseFromArray(data, static_cast<int>(size));
}

}  // namespace

PodInfo FuzzPod() { return specfakes::FakePod(); }

ImageInfo FuzzImage() {
  ImageInfo i = specfakes::FakeImage();
  i.env = {"PATH=/bin"};
  return i;
}

SpecInputs FuzzInputs() {
  SpecInputs in = specfakes::FakeInputs(specfakes::kAppPasswd, specfakes::kAppGroup);
  in.target_pid = [](const std::string&) -> absl::StatusOr<pid_t> { return absl::NotFoundError("no target"); };
  return in;
}

int FuzzCriRequest(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t kind = data[0] % 8;
  ++data;
  --size;
  switch (kind) {
    case 0: {
      cri::RunPodSandboxRequest r;
      if (Parse(data, size, &r)) RunPodSandbox(r);
      break;
    }
    case 1: {
      cri::CreateContainerRequest r;
      if (Parse(data, size, &r)) CreateContainer(r);
      break;
    }
    case 2: {
      cri::UpdateContainerResourcesRequest r;
      if (Parse(data, size, &r)) (void)ToCgroupResources(r.linux());
      break;
    }
    case 3: {
      cri::PullImageRequest r;
      if (Parse(data, size, &r)) {
        CheckReference(r.image().image());
        (void)FromCriAuth(r.auth());
      }
      break;
    }
    case 4: {
      cri::ImageStatusRequest r;
      if (Parse(data, size, &r)) CheckReference(r.image().image());
      break;
    }
    case 5: {
      cri::RemoveImageRequest r;
      if (Parse(data, size, &r)) CheckReference(r.image().image());
      break;
    }
    case 6: {
      cri::ExecSyncRequest r;
      if (Parse(data, size, &r)) {
        cri::CreateContainerRequest c;  // an exec'd command goes through the same argv rules
        c.mutable_config()->mutable_metadata()->set_name("x");
        c.mutable_config()->mutable_image()->set_image("x");
        *c.mutable_config()->mutable_command() = r.cmd();
        CreateContainer(c);
      }
      break;
    }
    default: {
      cri::ContainerConfig r;
      if (Parse(data, size, &r)) {
        if (r.has_linux()) (void)SeccompFor(r.linux().security_context(), {});
      }
    }
  }
  return 0;
}

int FuzzConfig(const uint8_t* data, size_t size) {
  UniqueFd fd(::memfd_create("podagent-fuzz-config", MFD_CLOEXEC));
  if (!fd) return 0;
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::write(fd.Get(), data + done, size - done);
    if (n <= 0) return 0;
    done += static_cast<size_t>(n);
  }
  auto c = LoadConfig("/proc/self/fd/" + std::to_string(fd.Get()), true);
  if (c.ok()) {
    FuzzCheck(c->exec_sync_output_limit > 0, "exec_sync_output_limit positive");
    (void)JsonText(c->ToJson());  // as the verbose Status sends it
  }
  return 0;
}

int FuzzCniResult(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded()) {
    for (const std::string& ip : ResultIps(j)) FuzzCheck(ip.find('/') == std::string::npos, "ip without prefix length");
  }
  absl::Status st = PluginError("fuzz ADD", 1, text, text);
  FuzzCheck(!st.ok(), "a failed plugin run is an error");
  return 0;
}

}  // namespace podagent
