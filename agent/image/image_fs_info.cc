#include "agent/grpc_status.h"
#include "agent/image/image_manager.h"
#include "agent/services.h"

namespace podagent {
namespace {

void Fill(const StoreUsage& u, const std::string& mountpoint, int64_t now_ns, cri::FilesystemUsage* out) {
  out->set_timestamp(now_ns);
  out->mutable_fs_id()->set_mountpoint(mountpoint);
  out->mutable_used_bytes()->set_value(u.bytes);
  out->mutable_inodes_used()->set_value(u.inodes);
}

}  // namespace

grpc::Status ImageServiceImpl::ImageFsInfo(grpc::ServerContext*, const cri::ImageFsInfoRequest*,
                                           cri::ImageFsInfoResponse* response) {
  ImageFsUsage u = m_.images->FsUsage();
  int64_t measured = absl::ToUnixNanos(u.measured_at);  // the figures' own time, not the call's
  Fill(u.images, u.images_mountpoint, measured, response->add_image_filesystems());
  Fill(u.containers, u.containers_mountpoint, measured, response->add_container_filesystems());
  return grpc::Status::OK;
}

}  // namespace podagent
