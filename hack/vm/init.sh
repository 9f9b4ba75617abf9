#!/bin/sh
# Stage 1 of the podagent test guest: /init of the initramfs that hack/vm/run.sh builds.
# Runs under busybox sh as PID 1. Loads the 9p/virtio/overlay modules, mounts the host's root
# file system (read-only 9p) under a tmpfs overlay, a tmpfs /run, mounts the run share (writable 9p: the command, its exit code, logs),
# then switch_roots into the overlay and hands over to stage2.sh from the run share.
export PATH=/bin

fail() {
  echo "podagent-vm init: $*" >&2
  # Leave a trace for the host if the run share is up, then power off (never hang the CI job).
  [ -d /newroot/run/podagent-vm ] && echo "init: $*" >/newroot/run/podagent-vm/init-error
  sync
  poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

while read -r mod; do
  insmod "/modules/$mod" 2>/dev/null || grep -q "^${mod%.ko} " /proc/modules || fail "insmod $mod failed"
done </modules/load-order

mkdir -p /lower /upper /newroot
mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=512000,cache=loose hostroot /lower \
  || fail "mount 9p hostroot failed"
mount -t tmpfs -o mode=0755 tmpfs /upper || fail "mount tmpfs /upper failed"
mkdir -p /upper/data /upper/work
mount -t overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work overlay /newroot \
  || fail "mount overlay on /newroot failed"

# /run is a plain tmpfs; stage2.sh puts /tmp, /var/tmp, /var/lib/podagent and /var/lib/cni on a
# scratch file system (an overlayfs upper dir cannot live on an overlayfs).
mkdir -p /newroot/run && mount -t tmpfs -o mode=0755 tmpfs /newroot/run || fail "mount tmpfs /run failed"

mkdir -p /newroot/run/podagent-vm
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=none run /newroot/run/podagent-vm \
  || fail "mount 9p run share failed"

mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev
exec switch_root /newroot /bin/bash /run/podagent-vm/stage2.sh
