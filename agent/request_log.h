#pragma once
// A gRPC server interceptor: every RPC is logged at debug with method, duration and status code,
// and counted in podagent's own metrics. It also keeps the RPCs in flight (InFlightRpcs), so
// shutdown can drain them and name the ones still running when its grace is over.

#include <grpcpp/support/server_interceptor.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace podagent {

class StatsManager;

// The RPCs being served now, by method and start time.
class InFlightRpcs {
 public:
  uint64_t Begin(const std::string& method);
  void End(uint64_t token);
  int Count() const;
  // "RunPodSandbox (running 3.2s), Version (running 0.0s)"; empty when none.
  std::string Describe() const;

 private:
  struct Call {
    std::string method;
    std::chrono::steady_clock::time_point start;
  };
  mutable std::mutex mu_;
  std::map<uint64_t, Call> calls_;  // guarded by mu_
  uint64_t next_ = 0;               // guarded by mu_
};

class RequestLogFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  RequestLogFactory(StatsManager* stats, std::shared_ptr<InFlightRpcs> in_flight)
      : stats_(stats), in_flight_(std::move(in_flight)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

 private:
  StatsManager* stats_;
  std::shared_ptr<InFlightRpcs> in_flight_;
};

}  // namespace podagent
