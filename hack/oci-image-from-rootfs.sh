#!/usr/bin/env bash
# Builds a one-layer OCI image layout from a root filesystem directory, without any network.
#
#   hack/oci-image-from-rootfs.sh ROOTFS OUT_LAYOUT NAME:TAG [options]
#     --cmd JSON         image Cmd, a JSON array (default ["sh"])
#     --entrypoint JSON  image Entrypoint, a JSON array (default none)
#     --env KEY=VALUE    repeatable (default PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
#     --workdir DIR      WorkingDir
#     --user USER        User
#     --label K=V        repeatable
#     --compress gzip|zstd|none   layer compression (default gzip)
#     --root-owner       every entry owned by 0:0 (default: ownership as on disk)
#
# The layer tar is reproducible (sorted names, numeric owners, fixed mtime); ownership comes
# from the rootfs as it is on disk. OUT_LAYOUT gets oci-layout, index.json (with the
# org.opencontainers.image.ref.name annotation = TAG) and blobs/sha256/. Prints the manifest digest.
set -euo pipefail

usage() { sed -n '2,17p' "$0" >&2; exit 2; }
[ $# -ge 3 ] || usage
rootfs=$1 out=$2 ref=$3
shift 3
cmd='["sh"]' entrypoint='null' workdir='' user='' compress=gzip owner=()
envs=() labels=()
while [ $# -gt 0 ]; do
  case $1 in
    --cmd) cmd=$2; shift 2 ;;
    --entrypoint) entrypoint=$2; shift 2 ;;
    --env) envs+=("$2"); shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --user) user=$2; shift 2 ;;
    --label) labels+=("$2"); shift 2 ;;
    --compress) compress=$2; shift 2 ;;
    --root-owner) owner=(--owner=0 --group=0); shift ;;
    *) usage ;;
  esac
done
[ -d "$rootfs" ] || { echo "oci-image-from-rootfs: $rootfs is not a directory" >&2; exit 1; }
[ ${#envs[@]} -gt 0 ] || envs=("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
tag=${ref##*:}

blobs=$out/blobs/sha256
mkdir -p "$blobs"
tmp=$(mktemp -d "$out/.build-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# put FILE: moves FILE into the blob store, prints "sha256:<hex> <size>"
put() {
  local hex size
  hex=$(sha256sum "$1" | cut -d' ' -f1)
  size=$(stat -c %s "$1")
  mv -f "$1" "$blobs/$hex"
  echo "sha256:$hex $size"
}

tar --sort=name --numeric-owner "${owner[@]+"${owner[@]}"}" --mtime=@0 --xattrs --xattrs-include='security.capability' \
  -C "$rootfs" -cf "$tmp/layer.tar" .
diff_id=sha256:$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
case $compress in
  gzip) gzip -n -9 "$tmp/layer.tar"; layer_file=$tmp/layer.tar.gz
        layer_type=application/vnd.oci.image.layer.v1.tar+gzip ;;
  zstd) zstd -q --rm -19 "$tmp/layer.tar" -o "$tmp/layer.tar.zst"; layer_file=$tmp/layer.tar.zst
        layer_type=application/vnd.oci.image.layer.v1.tar+zstd ;;
  none) layer_file=$tmp/layer.tar; layer_type=application/vnd.oci.image.layer.v1.tar ;;
  *) usage ;;
esac
read -r layer_digest layer_size < <(put "$layer_file")

env_json=$(printf '%s\n' "${envs[@]}" | jq -R . | jq -sc .)
labels_json=$( (for l in "${labels[@]+"${labels[@]}"}"; do printf '%s\n' "$l"; done) |
  jq -R 'split("=") | {(.[0]): (.[1:] | join("="))}' | jq -sc 'add // {}')
jq -nc --argjson cmd "$cmd" --argjson ep "$entrypoint" --argjson env "$env_json" --argjson labels "$labels_json" \
  --arg wd "$workdir" --arg user "$user" --arg diff "$diff_id" '
  {created: "1970-01-01T00:00:00Z", architecture: "amd64", os: "linux",
   config: ({Env: $env, Cmd: $cmd, Labels: $labels}
            + (if $ep == null then {} else {Entrypoint: $ep} end)
            + (if $wd == "" then {} else {WorkingDir: $wd} end)
            + (if $user == "" then {} else {User: $user} end)),
   rootfs: {type: "layers", diff_ids: [$diff]},
   history: [{created: "1970-01-01T00:00:00Z", created_by: "podagent hack/oci-image-from-rootfs.sh"}]}' \
  > "$tmp/config.json"
read -r config_digest config_size < <(put "$tmp/config.json")

jq -nc --arg cd "$config_digest" --argjson cs "$config_size" --arg ld "$layer_digest" --argjson ls "$layer_size" \
  --arg lt "$layer_type" '
  {schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
   config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
   layers: [{mediaType: $lt, digest: $ld, size: $ls}]}' > "$tmp/manifest.json"
read -r manifest_digest manifest_size < <(put "$tmp/manifest.json")

echo '{"imageLayoutVersion":"1.0.0"}' > "$out/oci-layout"
jq -nc --arg md "$manifest_digest" --argjson ms "$manifest_size" --arg tag "$tag" '
  {schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
   manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
                platform: {architecture: "amd64", os: "linux"},
                annotations: {"org.opencontainers.image.ref.name": $tag}}]}' > "$out/index.json"
echo "$manifest_digest"
