#pragma once
// CannedRegistry: a tiny OCI distribution server on 127.0.0.1:0 serving one image, with knobs a
// real registry lacks: a wrong Docker-Content-Digest, a layer that trickles a byte at a time.
// One thread per connection, "Connection: close" on every answer; requests are counted by path.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runtime/image/digest.h"
#include "tests/fixtures/image/layer_builder.h"

namespace podagent::imagetest {

class CannedRegistry {
 public:
  std::string repo = "test/img";
  std::string wrong_content_digest;  // sent as Docker-Content-Digest for manifests when set
  bool trickle_layer = false;        // the layer blob: headers at once, then a byte per 200 ms

  CannedRegistry() {
    layer_ = LayerBuilder().File("hello", "world").Finish();
    layer_digest_ = Sha256Digest(layer_);
    nlohmann::json config = {{"architecture", "amd64"},
                             {"os", "linux"},
                             {"config", nlohmann::json::object()},
                             {"rootfs", {{"type", "layers"}, {"diff_ids", {layer_digest_}}}}};
    config_ = config.dump();
    nlohmann::json manifest = {
        {"schemaVersion", 2},
        {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
        {"config",
         {{"mediaType", "application/vnd.oci.image.config.v1+json"}, {"digest", Sha256Digest(config_)}, {"size", config_.size()}}},
        {"layers",
         {{{"mediaType", "application/vnd.oci.image.layer.v1.tar"}, {"digest", layer_digest_}, {"size", layer_.size()}}}}};
    manifest_ = manifest.dump();
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 64);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { Accept(); });
  }
  ~CannedRegistry() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    ::close(listen_fd_);
    std::lock_guard<std::mutex> l(mu_);
    for (auto& t : conns_) t.join();
  }
  std::string host() const { return absl::StrCat("127.0.0.1:", port_); }
  std::string ref(const std::string& tag = "v1") const { return absl::StrCat(host(), "/", repo, ":", tag); }
  std::string manifest_digest() const { return Sha256Digest(manifest_); }
  const std::string& layer_digest() const { return layer_digest_; }
  int Requests(const std::string& path_suffix) {
    std::lock_guard<std::mutex> l(mu_);
    int n = 0;
    for (const auto& p : paths_) n += absl::EndsWith(p, path_suffix) ? 1 : 0;
    return n;
  }

 private:
  void Accept() {
    for (;;) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (stop_) return;
        continue;
      }
      std::lock_guard<std::mutex> l(mu_);
      conns_.emplace_back([this, fd] {
        Serve(fd);
        ::close(fd);
      });
    }
  }
  static bool Send(int fd, const std::string& data) {
    return ::send(fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }
  static std::string Head(int status, const std::string& type, size_t length, const std::string& extra = "") {
    return absl::StrCat("HTTP/1.1 ", status, status == 200 ? " OK" : " Not Found", "\r\nContent-Type: ", type,
                        "\r\nContent-Length: ", length, "\r\nConnection: close\r\n", extra, "\r\n");
  }
  void Serve(int fd) {
    std::string req;
    char buf[4096];
    while (req.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      req.append(buf, static_cast<size_t>(n));
    }
    std::string path = req.substr(req.find(' ') + 1);
    path = path.substr(0, path.find(' '));
    {
      std::lock_guard<std::mutex> l(mu_);
      paths_.push_back(path);
    }
    std::string v2 = absl::StrCat("/v2/", repo);
    if (path == v2 + "/manifests/v1" || path == v2 + "/manifests/" + manifest_digest()) {
      std::string digest = wrong_content_digest.empty() ? manifest_digest() : wrong_content_digest;
      Send(fd, Head(200, "application/vnd.oci.image.manifest.v1+json", manifest_.size(),
                    absl::StrCat("Docker-Content-Digest: ", digest, "\r\n")) +
                   manifest_);
    } else if (path == v2 + "/blobs/" + Sha256Digest(config_)) {
      Send(fd, Head(200, "application/octet-stream", config_.size()) + config_);
    } else if (path == v2 + "/blobs/" + layer_digest_ && !trickle_layer) {
      Send(fd, Head(200, "application/octet-stream", layer_.size()) + layer_);
    } else if (path == v2 + "/blobs/" + layer_digest_) {
      if (!Send(fd, Head(200, "application/octet-stream", layer_.size()))) return;
      for (size_t i = 0; i < layer_.size() && !stop_; ++i) {
        if (!Send(fd, layer_.substr(i, 1))) return;  // the client went away
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    } else {
      Send(fd, Head(404, "text/plain", 9) + "not found");
    }
  }

  std::string layer_, layer_digest_, config_, manifest_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> conns_;
  std::vector<std::string> paths_;
};

}  // namespace podagent::imagetest
