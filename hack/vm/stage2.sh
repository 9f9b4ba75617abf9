#!/bin/bash
# Stage 2 of the podagent test guest, PID 1 after switch_root (the host's root file system with a
# tmpfs overlay). Mounts cgroup v2 with every controller enabled, the pseudo file systems tests
# expect, brings up loopback, runs the command that hack/vm/run.sh wrote to the run share with the
# host's environment and working directory, records its exit code there and powers off.
# bash as PID 1 reaps orphans through its SIGCHLD handler.
#
# With PODAGENT_VM_INIT=systemd (run.sh writes the mode to the run share) it does the same mounts
# but for cgroup2, which systemd mounts itself, writes a transient unit set under
# /run/systemd/system (systemd-units.sh) and execs systemd as PID 1 with podagent-vm.target; that
# target's service calls `stage2.sh --run`, which runs the command as below (without powering off:
# the unit's SuccessAction/FailureAction do).
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
share=/run/podagent-vm
mode=bash
[ -f "$share/init-mode" ] && mode=$(cat "$share/init-mode")

die() {
  echo "podagent-vm stage2: $*" >&2
  echo "stage2: $*" >"$share/init-error"
  /bin/busybox poweroff -f
}

# The command's stdio is the virtio console hvc0 (qemu's stdout on the host); the kernel log
# stays on the serial console (console.log in the run share). No \n -> \r\n translation, so the
# host sees the bytes the command wrote. Records the command's exit code in the run share.
run_and_record() {
  local out=/dev/hvc0 rc
  [ -c "$out" ] || die "no $out (virtio_console)"
  exec 9>"$out"  # held open: a tty's settings are reset on its last close
  stty -F "$out" raw -echo -onlcr || die "stty $out failed"
  # The command runs in its own session with the host's environment and working directory.
  # When the host's stdout is not a terminal the command writes into a pipe (as it would on the
  # host), so programs do not colour or line-buffer for a tty that is not there.
  if [ -f "$share/stdout-is-tty" ]; then
    run_cmd >"$out" 2>&1 &
    wait $!
    rc=$?
  else
    set -o pipefail  # the pipeline's status is the command's (cat exits 0)
    run_cmd 2>&1 | cat >"$out" &
    wait $!
    rc=$?
  fi
  dmesg >"$share/dmesg.txt" 2>&1
  echo "$rc" >"$share/rc.tmp" && mv "$share/rc.tmp" "$share/rc"
  sync
}
run_cmd() {
  # shellcheck disable=SC1091
  . "$share/env.sh"
  # tests assert the guest really is cgroup v2 (or systemd's hybrid v1 layout)
  export PODAGENT_EXPECT_CGROUP=v2
  [ "$(cat "$share/cgroup-mode" 2>/dev/null)" = hybrid ] && export PODAGENT_EXPECT_CGROUP=v1
  [ "$mode" = systemd ] && export PODAGENT_EXPECT_INIT=systemd  # and that PID 1 is systemd
  exec 9>&-
  exec setsid bash "$share/cmd.sh" </dev/null
}

if [ "${1:-}" = --run ]; then  # systemd mode: podagent-vm-run.service
  run_and_record
  exit 0
fi

if [ "$mode" != systemd ]; then
  mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup || die "mount cgroup2 /sys/fs/cgroup failed"
  controllers=$(cat /sys/fs/cgroup/cgroup.controllers)
  for c in $controllers; do
    echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control || die "enable controller $c in the root cgroup failed"
  done
fi
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts /dev/pts || die "mount devpts failed"
ln -sf pts/ptmx /dev/ptmx
mount -t tmpfs -o mode=1777 tmpfs /dev/shm || die "mount /dev/shm failed"
mount -t mqueue mqueue /dev/mqueue || die "mount mqueue failed"
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
[ -e /proc/sys/kernel/modprobe ] && echo /sbin/modprobe >/proc/sys/kernel/modprobe
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
# Scratch for /tmp, /var/tmp, /var/lib/podagent and /var/lib/cni: ext4 on a RAM disk, like the
# host's disk (user xattrs, which tmpfs lacks before 6.6; d_type; usable as an overlay upper),
# tmpfs if the brd module or mkfs.ext4 is missing.
scratch=/run/podagent-vm-scratch
mkdir -p "$scratch"
if modprobe brd rd_nr=1 rd_size=$((2048 * 1024)) max_part=0 2>/dev/null && [ -b /dev/ram0 ] &&
   mkfs.ext4 -q -F -O ^has_journal /dev/ram0 2>/dev/null && mount -t ext4 /dev/ram0 "$scratch"; then
  :
else
  echo "podagent-vm stage2: no ext4 RAM disk (brd, mkfs.ext4), /tmp is tmpfs: no user xattrs there" >&2
  mount -t tmpfs -o mode=0755 tmpfs "$scratch" || die "mount scratch tmpfs failed"
fi
for d in /tmp /var/tmp /var/lib/podagent /var/lib/cni; do
  mkdir -p "$scratch$d" "$d" && mount --bind "$scratch$d" "$d" || die "bind $d onto the scratch failed"
done
chmod 1777 /tmp /var/tmp

i=0
while IFS= read -r dir; do
  ovl=/run/podagent-vm-ovl/$i
  mkdir -p "$ovl/lower" "$ovl/upper" "$ovl/work" "$dir" \
    && mount -t 9p -o ro,trans=virtio,version=9p2000.L,msize=512000,cache=loose "ovl$i" "$ovl/lower" \
    && mount -t overlay -o "lowerdir=$ovl/lower,upperdir=$ovl/upper,workdir=$ovl/work" overlay "$dir" \
    || die "share $dir (beneath a guest tmpfs) failed"
  i=$((i + 1))
done <"$share/overlay-dirs"
if [ -f "$share/share-path" ]; then
  out_dir=$(cat "$share/share-path")
  mkdir -p "$out_dir" && mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=none out "$out_dir" \
    || die "mount 9p share at $out_dir failed"
fi
hostname podagent-vm
ip link set lo up || die "ip link set lo up failed"

if [ "$mode" = systemd ]; then
  # The host's /.dockerenv (these machines are containers) would make systemd detect a container
  # and skip what it does on a real node; the guest is a VM. Hidden in the throw-away overlay.
  rm -f /.dockerenv
  bash "$share/systemd-units.sh" /run/systemd/system || die "writing the systemd units failed"
  exec /lib/systemd/systemd --unit=podagent-vm.target
fi
run_and_record
/bin/busybox poweroff -f
