#pragma once
// A gRPC server interceptor: every RPC is logged at debug with method, duration and status code,
// and counted in podagent's own metrics. It also counts the RPCs in flight, so shutdown can
// drain them.

#include <grpcpp/support/server_interceptor.h>

#include <atomic>
#include <memory>

namespace podagent {

class StatsManager;

class RequestLogFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  RequestLogFactory(StatsManager* stats, std::shared_ptr<std::atomic<int>> in_flight)
      : stats_(stats), in_flight_(std::move(in_flight)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

 private:
  StatsManager* stats_;
  std::shared_ptr<std::atomic<int>> in_flight_;
};

}  // namespace podagent
