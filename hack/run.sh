#!/usr/bin/env bash
# The README's "run podagent" command: installs the dependencies, builds, installs the shipped
# default config and CNI network (only where the node has none), imports a busybox test image,
# then runs podagent in the foreground on /run/podagent/podagent.sock. Run as root. Ctrl-C stops it
# (pods and containers keep running, as on any production node).
set -euo pipefail
cd "$(dirname "$0")/.."

bash hack/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target podagent podagent-pause podagent-shim

if [ ! -f /etc/podagent/podagent.yaml ]; then
  install -D -m 0644 deploy/podagent.yaml /etc/podagent/podagent.yaml
  echo "run: installed /etc/podagent/podagent.yaml"
fi
mkdir -p /etc/cni/net.d
if ! ls /etc/cni/net.d/*.conf /etc/cni/net.d/*.conflist >/dev/null 2>&1; then
  install -m 0644 deploy/cni/10-podagent.conflist /etc/cni/net.d/10-podagent.conflist
  echo "run: installed /etc/cni/net.d/10-podagent.conflist (bridge podagent0, 10.88.0.0/16)"
fi

# A small busybox image so pods can run without any registry.
images=build/test-images
if [ ! -d "$images/busybox" ]; then
  bash hack/make-test-images.sh "$images" >/dev/null
fi
build/bin/podagent --config /etc/podagent/podagent.yaml image import "$images/busybox" || true

exec build/bin/podagent --config /etc/podagent/podagent.yaml
