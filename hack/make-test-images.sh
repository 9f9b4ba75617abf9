#!/usr/bin/env bash
# Builds small OCI-layout test images without any network, from Debian packages on this machine.
#
#   hack/make-test-images.sh OUT_DIR
#
# Produces:
#   OUT_DIR/busybox/   busybox:latest from busybox-static: /bin/busybox plus applet symlinks at
#                      their usual paths (sh, ls, cat, echo, sleep, nc, ps, top, id, ...),
#                      /etc/passwd and /etc/group with root and nobody, Cmd ["sh"]
#   OUT_DIR/rootfs/busybox/   the root filesystem it was made from (for other image builders)
# Other images: hack/oci-image-from-rootfs.sh ROOTFS OUT_LAYOUT NAME:TAG [--cmd ...].
set -euo pipefail

[ $# -eq 1 ] || { sed -n '2,12p' "$0" >&2; exit 2; }
out=$1
here=$(cd "$(dirname "$0")" && pwd)
bb=/bin/busybox
[ -x "$bb" ] || { echo "make-test-images: $bb missing: apt-get install busybox-static" >&2; exit 1; }
file -b "$bb" 2>/dev/null | grep -q 'statically linked' || ldd "$bb" 2>&1 | grep -q 'not a dynamic' ||
  { echo "make-test-images: $bb is not statically linked (install busybox-static)" >&2; exit 1; }

mkdir -p "$out"
rootfs=$out/rootfs/busybox
rm -rf "$rootfs" "$out/busybox"
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,root,home,proc,sys,dev,run,var/log} "$rootfs/tmp"
chmod 1777 "$rootfs/tmp"
chmod 0700 "$rootfs/root"
install -m 0755 "$bb" "$rootfs/bin/busybox"
# Every applet at its usual path, as a symlink to /bin/busybox.
"$bb" --list-full | while read -r applet; do
  [ "$applet" = bin/busybox ] && continue
  ln -sf /bin/busybox "$rootfs/$applet"
done
for needed in sh ls cat echo sleep nc ps top id head tail wc grep env hostname dd true false mkdir rm touch; do
  [ -e "$rootfs/bin/$needed" ] || [ -e "$rootfs/usr/bin/$needed" ] || [ -e "$rootfs/sbin/$needed" ] ||
    { echo "make-test-images: busybox lacks applet $needed" >&2; exit 1; }
done
cat > "$rootfs/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
P
cat > "$rootfs/etc/group" <<'G'
root:x:0:
nogroup:x:65534:
nobody:x:65534:
G
echo "busybox" > "$rootfs/etc/hostname"
if [ "$(id -u)" -eq 0 ]; then chown -R 0:0 "$rootfs"; fi

digest=$("$here/oci-image-from-rootfs.sh" "$rootfs" "$out/busybox" busybox:latest --cmd '["sh"]' --root-owner)
echo "busybox $out/busybox $digest"
