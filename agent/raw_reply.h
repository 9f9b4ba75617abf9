#pragma once
// The pieces of a list RPC served from kept bytes (a raw callback method of the generated
// service): parse the request from its bytes, hand the reply's bytes to gRPC without a copy, and
// finish the call. Used by ListContainers and ListPodSandbox, which kubelet calls every second.
// A serialized protobuf message is the merge of its concatenated parts, and a repeated field
// merges by appending: a list reply is the concatenation of one-item replies.

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/proto_buffer_reader.h>

#include <string>

namespace podagent {

// Parses `request` into `out`; false when the bytes are not such a message.
template <typename Message>
bool ParseRequest(const grpc::ByteBuffer* request, Message* out) {
  grpc::ByteBuffer in(*request);  // shares the slices; the reader needs a mutable buffer
  grpc::ProtoBufferReader reader(&in);
  return out->ParseFromZeroCopyStream(&reader);
}

// `bytes` as a reply buffer that owns them.
grpc::ByteBuffer TakeBuffer(std::string bytes);

// Finishes the call with `status` on the context's default reactor.
grpc::ServerUnaryReactor* FinishCall(grpc::CallbackServerContext* context, const grpc::Status& status);

}  // namespace podagent
