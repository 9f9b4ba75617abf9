#!/usr/bin/env bash
# Installs podagent's dependencies from Debian 12 packages. Idempotent: packages already present
# are left as they are. Run as root.
#
#   hack/install-deps.sh            build + runtime: what hack/run.sh needs to build and run
#                                   podagent (no kernel image, no qemu, no test servers)
#   hack/install-deps.sh --test     the above plus the test toolchain: libFuzzer, the registry,
#                                   skopeo, Prometheus, and the cgroup v2 guest (qemu + a kernel)
set -euo pipefail

build_runtime=(
  # build (GoogleTest too: CMake configures the tests with the rest)
  build-essential cmake pkg-config ninja-build
  protobuf-compiler libprotobuf-dev libgrpc++-dev protobuf-compiler-grpc
  libyaml-cpp-dev prometheus-cpp-dev libcivetweb-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libarchive-dev libzstd-dev libisal-dev libssl-dev libcurl4-openssl-dev libseccomp-dev libcap-dev
  libgtest-dev libgmock-dev
  # sd_notify for systemd's Type=notify (deploy/systemd/podagent.service), sd-bus for the systemd
  # cgroup driver's units (runtime/cgroups/systemd_units.h)
  libsystemd-dev
  # streaming server: Boost.Beast (header-only) for HTTP/WebSocket, zlib for SPDY header blocks
  libboost-dev zlib1g-dev
  # runtime: networking, process inspection
  containernetworking-plugins iptables iproute2 procps util-linux
  # the busybox image hack/run.sh imports (hack/make-test-images.sh)
  busybox-static jq zstd
)
test_only=(
  # fuzzing (libFuzzer and coverage instrumentation: hack/fuzz-images.sh)
  clang libclang-rt-14-dev
  # tests: registry, image pushing, metrics server, basic auth, http
  docker-registry skopeo prometheus apache2-utils curl ca-certificates
  # cgroup v2 guest (hack/vm); systemd (PID 1) and dbus (the system bus) for its
  # PODAGENT_VM_INIT=systemd mode
  qemu-system-x86 linux-image-amd64 systemd dbus
)

packages=("${build_runtime[@]}")
case "${1:-}" in
  "") ;;
  --test) packages+=("${test_only[@]}") ;;
  *) sed -n '2,8p' "$0" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: run as root (apt-get needs it)" >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian starts these services on install where an init system runs; podagent's tests start
# their own instances on free loopback ports, so stop the packaged ones if they came up.
for svc in docker-registry prometheus prometheus-node-exporter; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
    systemctl disable "$svc" >/dev/null 2>&1 || true
  fi
done
