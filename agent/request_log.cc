#include "agent/request_log.h"

#include <chrono>
#include <string>

#include "absl/strings/str_format.h"

#include "agent/logging.h"
#include "agent/stats/stats_manager.h"

namespace podagent {
namespace {

using grpc::experimental::InterceptionHookPoints;

// "/runtime.v1.RuntimeService/Version" -> "Version"
std::string ShortMethod(const char* full) {
  std::string m = full ? full : "";
  auto slash = m.rfind('/');
  return slash == std::string::npos ? m : m.substr(slash + 1);
}

class RequestLog : public grpc::experimental::Interceptor {
 public:
  RequestLog(grpc::experimental::ServerRpcInfo* info, StatsManager* stats, std::shared_ptr<InFlightRpcs> in_flight)
      : method_(ShortMethod(info->method())),
        stats_(stats),
        in_flight_(std::move(in_flight)),
        token_(in_flight_->Begin(method_)),
        start_(std::chrono::steady_clock::now()) {}
  ~RequestLog() override { in_flight_->End(token_); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      static auto log = ComponentLogger("cri");
      if (status.ok()) {
        log->debug("{} code=OK duration={:.6f}s", method_, seconds);
      } else {
        log->debug("{} code={} duration={:.6f}s error=\"{}\"", method_, static_cast<int>(status.error_code()),
                   seconds, status.error_message());
      }
      if (stats_) stats_->ObserveRequest(method_, static_cast<int>(status.error_code()), seconds);
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  StatsManager* stats_;
  std::shared_ptr<InFlightRpcs> in_flight_;
  uint64_t token_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace

uint64_t InFlightRpcs::Begin(const std::string& method) {
  std::lock_guard<std::mutex> l(mu_);
  calls_[next_] = Call{method, std::chrono::steady_clock::now()};
  return next_++;
}

void InFlightRpcs::End(uint64_t token) {
  std::lock_guard<std::mutex> l(mu_);
  calls_.erase(token);
}

int InFlightRpcs::Count() const {
  std::lock_guard<std::mutex> l(mu_);
  return static_cast<int>(calls_.size());
}

std::string InFlightRpcs::Describe() const {
  std::lock_guard<std::mutex> l(mu_);
  auto now = std::chrono::steady_clock::now();
  std::string out;
  for (const auto& [token, call] : calls_) {
    double seconds = std::chrono::duration<double>(now - call.start).count();
    out += absl::StrFormat("%s%s (running %.1fs)", out.empty() ? "" : ", ", call.method, seconds);
  }
  return out;
}

grpc::experimental::Interceptor* RequestLogFactory::CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) {
  return new RequestLog(info, stats_, in_flight_);
}

}  // namespace podagent
