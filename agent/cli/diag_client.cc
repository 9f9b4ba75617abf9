#include "agent/cli/diag_client.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace podagent {
namespace {

absl::StatusOr<nlohmann::json> ParseInfo(const google::protobuf::Map<std::string, std::string>& info,
                                         const std::string& id) {
  auto it = info.find("info");
  if (it == info.end()) return nlohmann::json::object();
  nlohmann::json j = nlohmann::json::parse(it->second, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InternalError(absl::StrCat("verbose info of ", id, " is not a JSON object"));
  }
  return j;
}

}  // namespace

uint64_t InfoU64(const nlohmann::json& info, const char* key) {
  auto it = info.find(key);
  if (it == info.end() || !it->is_number_integer()) return 0;
  if (it->is_number_unsigned()) return it->get<uint64_t>();
  int64_t v = it->get<int64_t>();
  return v > 0 ? static_cast<uint64_t>(v) : 0;
}

std::string InfoString(const nlohmann::json& info, const char* key) {
  auto it = info.find(key);
  return it != info.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string OneLine(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

DiagClient::DiagClient(std::string socket, std::chrono::seconds timeout)
    : socket_(std::move(socket)), timeout_(timeout) {
  stub_ = cri::RuntimeService::NewStub(grpc::CreateChannel("unix:" + socket_, grpc::InsecureChannelCredentials()));
}

std::unique_ptr<grpc::ClientContext> DiagClient::Context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + timeout_);
  return ctx;
}

absl::Status DiagClient::Error(const grpc::Status& st, const std::string& what) const {
  if (st.error_code() == grpc::StatusCode::UNAVAILABLE || st.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::UnavailableError(
        OneLine(absl::StrCat("cannot reach the podagent daemon at ", socket_, ": ", st.error_message())));
  }
  if (st.error_code() == grpc::StatusCode::NOT_FOUND) return absl::NotFoundError(OneLine(st.error_message()));
  return absl::UnknownError(OneLine(absl::StrCat(what, ": ", st.error_message())));
}

absl::Status DiagClient::Connect() {
  cri::VersionRequest req;
  cri::VersionResponse resp;
  auto ctx = Context();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::Status st = stub_->Version(ctx.get(), req, &resp);
  if (!st.ok()) {
    return absl::UnavailableError(
        OneLine(absl::StrCat("cannot reach the podagent daemon at ", socket_, ": ", st.error_message())));
  }
  return absl::OkStatus();
}

absl::StatusOr<cri::PodSandbox> DiagClient::ResolvePod(const std::string& query) {
  if (query.empty()) return absl::InvalidArgumentError("pod: empty name");
  cri::ListPodSandboxRequest req;
  cri::ListPodSandboxResponse resp;
  grpc::Status st = stub_->ListPodSandbox(Context().get(), req, &resp);
  if (!st.ok()) return Error(st, "list pods");
  std::vector<const cri::PodSandbox*> by_prefix, by_name;
  for (const auto& p : resp.items()) {
    if (p.id() == query) return p;
    if (absl::StartsWith(p.id(), query)) by_prefix.push_back(&p);
    if (absl::StrCat(p.metadata().namespace_(), "/", p.metadata().name()) == query) by_name.push_back(&p);
  }
  if (!by_name.empty()) {
    if (by_name.size() == 1) return *by_name[0];
    std::vector<const cri::PodSandbox*> ready;
    for (const auto* p : by_name) {
      if (p->state() == cri::SANDBOX_READY) ready.push_back(p);
    }
    if (ready.size() == 1) return *ready[0];
    return absl::InvalidArgumentError(
        absl::StrCat("pod ", query, " is ambiguous: ", by_name.size(), " sandboxes have that name; give an id"));
  }
  if (by_prefix.size() == 1) return *by_prefix[0];
  if (by_prefix.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("pod id prefix ", query, " is ambiguous: it matches ", by_prefix.size(), " pods"));
  }
  return absl::NotFoundError(
      absl::StrCat("pod ", query, " not found (give an id, a unique id prefix or namespace/name)"));
}

absl::StatusOr<cri::Container> DiagClient::ResolveContainer(const std::string& query) {
  if (query.empty()) return absl::InvalidArgumentError("container: empty id");
  cri::ListContainersRequest req;
  cri::ListContainersResponse resp;
  grpc::Status st = stub_->ListContainers(Context().get(), req, &resp);
  if (!st.ok()) return Error(st, "list containers");
  std::vector<const cri::Container*> by_prefix;
  for (const auto& c : resp.containers()) {
    if (c.id() == query) return c;
    if (absl::StartsWith(c.id(), query)) by_prefix.push_back(&c);
  }
  if (by_prefix.size() == 1) return *by_prefix[0];
  if (by_prefix.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("container id prefix ", query, " is ambiguous: it matches ", by_prefix.size(), " containers"));
  }
  return absl::NotFoundError(absl::StrCat("container ", query, " not found"));
}

absl::StatusOr<std::vector<cri::Container>> DiagClient::PodContainers(const std::string& pod_id) {
  cri::ListContainersRequest req;
  req.mutable_filter()->set_pod_sandbox_id(pod_id);
  cri::ListContainersResponse resp;
  grpc::Status st = stub_->ListContainers(Context().get(), req, &resp);
  if (!st.ok()) return Error(st, "list containers");
  std::vector<cri::Container> out(resp.containers().begin(), resp.containers().end());
  std::sort(out.begin(), out.end(), [](const cri::Container& a, const cri::Container& b) {
    return a.created_at() != b.created_at() ? a.created_at() < b.created_at() : a.id() < b.id();
  });
  return out;
}

absl::StatusOr<DiagClient::PodStatus> DiagClient::GetPodStatus(const std::string& id) {
  cri::PodSandboxStatusRequest req;
  req.set_pod_sandbox_id(id);
  req.set_verbose(true);
  cri::PodSandboxStatusResponse resp;
  grpc::Status st = stub_->PodSandboxStatus(Context().get(), req, &resp);
  if (!st.ok()) return Error(st, absl::StrCat("status of pod ", id));
  PodStatus out;
  out.status = resp.status();
  auto info = ParseInfo(resp.info(), id);
  if (!info.ok()) return info.status();
  out.info = std::move(*info);
  return out;
}

absl::StatusOr<DiagClient::ContainerStatus> DiagClient::GetContainerStatus(const std::string& id) {
  cri::ContainerStatusRequest req;
  req.set_container_id(id);
  req.set_verbose(true);
  cri::ContainerStatusResponse resp;
  grpc::Status st = stub_->ContainerStatus(Context().get(), req, &resp);
  if (!st.ok()) return Error(st, absl::StrCat("status of container ", id));
  ContainerStatus out;
  out.status = resp.status();
  auto info = ParseInfo(resp.info(), id);
  if (!info.ok()) return info.status();
  out.info = std::move(*info);
  return out;
}

}  // namespace podagent
