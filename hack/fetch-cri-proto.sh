#!/usr/bin/env bash
# Downloads Debian trixie's golang-github-kubernetes-cri-api-dev .deb into a private apt state
# under OUT_DIR (the system's apt configuration is not touched, nothing is installed) and unpacks
# the CRI api.proto from it. Prints the path of api.proto. Usage: fetch-cri-proto.sh OUT_DIR
set -euo pipefail
out=${1:?usage: fetch-cri-proto.sh OUT_DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
proto_rel=usr/share/gocode/src/k8s.io/cri-api/pkg/apis/runtime/v1/api.proto
if [ -f "$out/root/$proto_rel" ]; then
  echo "$out/root/$proto_rel"
  exit 0
fi
state="$out/apt"
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$out/root"
echo "deb http://deb.debian.org/debian trixie main" > "$state/sources.list"
opts=(-o "Dir::Etc::sourcelist=$state/sources.list" -o "Dir::Etc::sourceparts=-"
      -o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache"
      -o "APT::Get::List-Cleanup=0" -o "Debug::NoLocking=1")
apt-get "${opts[@]}" -qq update >&2
( cd "$out" && apt-get "${opts[@]}" -qq download golang-github-kubernetes-cri-api-dev >&2 )
deb=$(ls "$out"/golang-github-kubernetes-cri-api-dev_*.deb | head -n1)
dpkg-deb -x "$deb" "$out/root"
test -f "$out/root/$proto_rel"
echo "$out/root/$proto_rel"
