#!/usr/bin/env bash
# Builds the benchmark's multi-layer image (about 50 MB compressed, 6 gzip layers) from files of
# Debian packages installed on this machine, without network, and optionally pushes it.
#
#   hack/make-bench-image.sh OUT_DIR [--push HOST:PORT] [--name NAME:TAG] [--small]
#
# --small builds the small image instead (default name podagent-bench/small:1): the busybox rootfs
# alone, one layer, plus a marker file so that its layer is shared with no other image. The
# loopback registry's busybox:1.35 shares its only layer with its pause:3.8, which containerd
# keeps as its sandbox image: a "pull" of busybox after RemoveImage then re-fetches a manifest
# and nothing else there, while podagent (whose pause is a binary) downloads and unpacks it.
#
# Layers, bottom to top: the busybox rootfs of make-test-images.sh (so `sleep` and `sh` run), then
# the files (dpkg -L) of: libc6 libstdc++6 libgcc-s1 libssl3 | libicu72 | perl-modules-5.36 perl-base |
# python3.11-minimal libpython3.11-stdlib | coreutils libglib2.0-0 libxml2 libsqlite3-0.
# OUT_DIR/bench-large/ is the OCI layout; --push copies it to http://HOST:PORT/NAME (default
# name podagent-bench/large:1) with skopeo. Prints the manifest digest and the compressed size.
set -euo pipefail

usage() { sed -n '2,12p' "$0" >&2; exit 2; }
[ $# -ge 1 ] || usage
out=$1; shift
push='' name='' small=0
while [ $# -gt 0 ]; do
  case $1 in
    --push) push=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --small) small=1; shift ;;
    *) usage ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
layer_packages=(
  "libc6 libstdc++6 libgcc-s1 libssl3"
  "libicu72"
  "perl-modules-5.36 perl-base"
  "python3.11-minimal libpython3.11-stdlib"
  "coreutils libglib2.0-0 libxml2 libsqlite3-0"
)

kind=large
if [ "$small" = 1 ]; then kind=small; layer_packages=(); fi
[ -n "$name" ] || name=podagent-bench/$kind:1
mkdir -p "$out"
out=$(cd "$out" && pwd)
"$here/make-test-images.sh" "$out" > /dev/null
layout=$out/bench-$kind
rm -rf "$layout"
blobs=$layout/blobs/sha256
mkdir -p "$blobs"
tmp=$(mktemp -d "$out/.bench-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# put FILE: moves FILE into the blob store, prints "sha256:<hex> <size>"
put() {
  local hex size
  hex=$(sha256sum "$1" | cut -d' ' -f1)
  size=$(stat -c %s "$1")
  mv -f "$1" "$blobs/$hex"
  echo "sha256:$hex $size"
}

diff_ids=() layers=()
# add_layer TAR: gzips a reproducible layer tar into the store.
add_layer() {
  local tar=$1 digest size
  diff_ids+=("sha256:$(sha256sum "$tar" | cut -d' ' -f1)")
  gzip -n -6 "$tar"
  read -r digest size < <(put "$tar.gz")
  layers+=("$digest $size")
}

tar_opts=(--sort=name --numeric-owner --owner=0 --group=0 --mtime=@0)
if [ "$small" = 1 ]; then
  cp -a "$out/rootfs/busybox" "$tmp/small-rootfs"
  mkdir -p "$tmp/small-rootfs/etc"
  echo "podagent benchmark small image" > "$tmp/small-rootfs/etc/podagent-bench-small"
  tar "${tar_opts[@]}" -C "$tmp/small-rootfs" -cf "$tmp/0.tar" .
else
  tar "${tar_opts[@]}" -C "$out/rootfs/busybox" -cf "$tmp/0.tar" .
fi
add_layer "$tmp/0.tar"
i=1
for pkgs in "${layer_packages[@]}"; do
  # Regular files and symlinks the packages own, relative to /; directories come from tar.
  # shellcheck disable=SC2086
  # Paths are listed where they really are (/lib/x -> usr/lib/x on a merged-/usr system): an
  # entry under a symlinked directory is refused by careful unpackers, podagent's among them.
  dpkg -L $pkgs | python3 -c '
import os, sys
seen = set()
for f in sys.stdin.read().split("\n"):
    if not f or not (os.path.isfile(f) or os.path.islink(f)) or (os.path.islink(f) and os.path.isdir(f)):
        continue
    real = os.path.join(os.path.realpath(os.path.dirname(f)), os.path.basename(f))
    if real not in seen:
        seen.add(real)
        print(real[1:])
' | sort > "$tmp/$i.list"
  [ -s "$tmp/$i.list" ] || { echo "make-bench-image: no files for: $pkgs (apt-get install $pkgs)" >&2; exit 1; }
  tar "${tar_opts[@]}" -C / --no-recursion -cf "$tmp/$i.tar" -T "$tmp/$i.list"
  add_layer "$tmp/$i.tar"
  i=$((i + 1))
done

diff_json=$(printf '%s\n' "${diff_ids[@]}" | jq -R . | jq -sc .)
jq -nc --argjson diffs "$diff_json" '
  {created: "1970-01-01T00:00:00Z", architecture: "amd64", os: "linux",
   config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"]},
   rootfs: {type: "layers", diff_ids: $diffs},
   history: [$diffs[] | {created: "1970-01-01T00:00:00Z", created_by: "podagent hack/make-bench-image.sh"}]}' \
  > "$tmp/config.json"
read -r config_digest config_size < <(put "$tmp/config.json")
layers_json=$(for l in "${layers[@]}"; do
  set -- $l
  jq -nc --arg d "$1" --argjson s "$2" '{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $d, size: $s}'
done | jq -sc .)
jq -nc --arg cd "$config_digest" --argjson cs "$config_size" --argjson layers "$layers_json" '
  {schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
   config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
   layers: $layers}' > "$tmp/manifest.json"
read -r manifest_digest manifest_size < <(put "$tmp/manifest.json")
echo '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
jq -nc --arg md "$manifest_digest" --argjson ms "$manifest_size" --arg tag "${name##*:}" '
  {schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
   manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
                platform: {architecture: "amd64", os: "linux"},
                annotations: {"org.opencontainers.image.ref.name": $tag}}]}' > "$layout/index.json"
total=$(jq '[.layers[].size] | add' "$blobs/${manifest_digest#sha256:}")
if [ -n "$push" ]; then
  skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$layout" "docker://$push/$name"
fi
echo "$manifest_digest $total"
