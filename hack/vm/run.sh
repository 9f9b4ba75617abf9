#!/usr/bin/env bash
# hack/vm/run.sh CMD [ARG...]: runs CMD as root inside a guest kernel with cgroup v2 and prints
# its output; exits with CMD's exit code (or 124 on timeout, 125 when the guest failed to run it).
#
# The guest is Debian's linux-image-amd64 kernel under qemu (software emulation, no network
# devices), booted from a small initramfs (busybox-static + the kernel's own 9p/virtio/overlay
# modules) that is built once and cached. It sees the host's root file system read-only over 9p
# with a tmpfs overlay on top, so the same binaries, libraries and build tree are there, in the
# same working directory, with the same environment. /tmp, /run, /var/tmp, /var/lib/podagent and
# /var/lib/cni are plain tmpfs in the guest (a working directory beneath them is shared on its own).
#
# Environment: PODAGENT_VM_TIMEOUT (seconds, default 3600), PODAGENT_VM_MEM (default 4G),
# PODAGENT_VM_SMP (default 2), PODAGENT_VM_CACHE (initramfs cache dir, default
# /var/tmp/podagent-vm-cache), PODAGENT_VM_KERNEL (a /boot/vmlinuz-* path; default the newest
# Debian one with modules), PODAGENT_VM_KEEP=1 keeps the run dir (console.log, dmesg.txt, rc),
# PODAGENT_VM_SHARE=DIR shares the host directory DIR writable at the same path in the guest (for
# results that must outlive the guest: junit files, logs).
# PODAGENT_VM_INIT=bash (default: stage2.sh stays PID 1) or systemd (stage2.sh execs Debian's
# systemd as PID 1 with podagent-vm.target, which runs the command as a service; systemd mounts
# cgroup2 itself). PODAGENT_VM_SYSTEMD_BOOT_TIMEOUT (seconds, default 300) bounds systemd's boot
# to the command's start inside the guest (125 when it is exceeded).
# PODAGENT_VM_CGROUP=v2 (default) or hybrid (systemd only): the kernel keeps the v1 controllers
# (no cgroup_no_v1=all) and systemd gets systemd.unified_cgroup_hierarchy=0, so it mounts each v1
# controller under /sys/fs/cgroup/<controller> and a controller-less v2 at /sys/fs/cgroup/unified.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
timeout_s=${PODAGENT_VM_TIMEOUT:-3600}
mem=${PODAGENT_VM_MEM:-4G}
smp=${PODAGENT_VM_SMP:-2}
cache=${PODAGENT_VM_CACHE:-/var/tmp/podagent-vm-cache}
init_mode=${PODAGENT_VM_INIT:-bash}
cgroup_mode=${PODAGENT_VM_CGROUP:-v2}

log() { echo "podagent-vm: $*" >&2; }
die() { log "$*"; exit 125; }

[ $# -ge 1 ] || die "usage: hack/vm/run.sh CMD [ARG...]"
case "$init_mode" in
  bash) ;;
  systemd) [ -x /lib/systemd/systemd ] || die "PODAGENT_VM_INIT=systemd but /lib/systemd/systemd is missing (apt-get install systemd)" ;;
  *) die "PODAGENT_VM_INIT=$init_mode: expected bash or systemd" ;;
esac
case "$cgroup_mode" in
  v2) ;;
  hybrid) [ "$init_mode" = systemd ] || die "PODAGENT_VM_CGROUP=hybrid needs PODAGENT_VM_INIT=systemd (systemd mounts the hybrid layout)" ;;
  *) die "PODAGENT_VM_CGROUP=$cgroup_mode: expected v2 or hybrid" ;;
esac
[ "$(id -u)" -eq 0 ] || die "run as root (qemu shares / read-only and the run dir writable as root)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run hack/install-deps.sh --test"
[ -x /bin/busybox ] || die "/bin/busybox missing: run hack/install-deps.sh (busybox-static)"
# A working directory under a path that is tmpfs in the guest (a CI clone in /tmp, say) is
# shared on its own: read-only 9p with a tmpfs overlay, at the same path.
overlay_dirs=()
case "$PWD/" in
  /proc/*|/sys/*|/dev/*) die "working directory $PWD is a pseudo file system: run from elsewhere" ;;
  /tmp/*|/run/*|/var/tmp/*) overlay_dirs+=("$(pwd -P)") ;;
esac

# --- kernel: the newest Debian image whose modules are installed -------------------------------
pick_kernel() {
  local k v best=""
  for k in /boot/vmlinuz-*; do
    v=${k#/boot/vmlinuz-}
    [ -f "/lib/modules/$v/modules.dep" ] && best=$k
  done
  [ -n "$best" ] || die "no /boot/vmlinuz-* with /lib/modules/<version>/modules.dep: install linux-image-amd64"
  echo "$best"
}
kernel=${PODAGENT_VM_KERNEL:-$(pick_kernel)}
kver=${kernel#/boot/vmlinuz-}
moddir=/lib/modules/$kver
[ -r "$kernel" ] && [ -f "$moddir/modules.dep" ] || die "kernel $kernel or its modules under $moddir missing"

# Modules the initramfs loads before switch_root (everything later is autoloaded by the guest
# kernel through /sbin/modprobe from the host's /lib/modules/$kver, visible over 9p).
wanted=(virtio_pci 9pnet_virtio 9p overlay virtio-rng virtio_console)

# Prints the .ko paths (relative to $moddir) of the modules in $@ and their dependencies,
# dependencies first; modules built into the kernel are skipped.
module_closure() {
  awk -v want="$*" '
    function base(p) { sub(/.*\//, "", p); sub(/\.ko(\.[a-z]+)?$/, "", p); gsub(/-/, "_", p); return p }
    function visit(m,   n, i, d) {
      if (m in seen) return
      seen[m] = 1
      n = split(deps[m], d, " ")
      for (i = n; i >= 1; i--) visit(base(d[i]))
      print path[m]
    }
    FILENAME ~ /modules.builtin$/ { builtin[base($1)] = 1; next }
    { p = $1; sub(/:$/, "", p); m = base(p); path[m] = p; $1 = ""; deps[m] = $0 }
    END {
      n = split(want, w, " ")
      for (i = 1; i <= n; i++) {
        m = w[i]; gsub(/-/, "_", m)
        if (m in builtin) continue
        if (!(m in path)) { print "missing module " m > "/dev/stderr"; exit 1 }
        visit(m)
      }
    }' "$moddir/modules.builtin" "$moddir/modules.dep"
}

# --- initramfs, cached by its inputs ------------------------------------------------------------
build_initramfs() {
  local out=$1 mods tmp
  mods=$(module_closure "${wanted[@]}") || die "resolving modules in $moddir failed"
  tmp=$(mktemp -d "$cache/build.XXXXXX")
  mkdir -p "$tmp/root/bin" "$tmp/root/modules" "$tmp/root/proc" "$tmp/root/sys" "$tmp/root/dev"
  cp /bin/busybox "$tmp/root/bin/busybox"
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$tmp/root/bin/$a"; done
  : >"$tmp/root/modules/load-order"
  local m
  for m in $mods; do
    case "$m" in
      *.ko) cp "$moddir/$m" "$tmp/root/modules/" ;;
      *.ko.xz) /bin/busybox xz -dc "$moddir/$m" >"$tmp/root/modules/$(basename "${m%.xz}")" ;;
      *.ko.gz) /bin/busybox gzip -dc "$moddir/$m" >"$tmp/root/modules/$(basename "${m%.gz}")" ;;
      *) die "unsupported module compression: $m" ;;
    esac
    basename "${m%.*z}" | sed 's/\.ko\.ko$/.ko/' >>"$tmp/root/modules/load-order"
  done
  cp "$here/init.sh" "$tmp/root/init"
  chmod 0755 "$tmp/root/init"
  (cd "$tmp/root" && find . | LC_ALL=C sort | /bin/busybox cpio -o -H newc 2>/dev/null) >"$tmp/initramfs.cpio"
  mv "$tmp/initramfs.cpio" "$out"
  rm -rf "$tmp"
}

mkdir -p "$cache"
key=$( { echo "$kver"; sha256sum /bin/busybox "$here/init.sh" "$moddir/modules.dep" "$here/run.sh"; } | sha256sum | cut -c1-16)
initramfs=$cache/initramfs-$kver-$key.cpio
if [ ! -f "$initramfs" ]; then
  log "building initramfs $initramfs"
  build_initramfs "$initramfs"
  # Older images (other inputs) are dropped once no run can still be reading them.
  find "$cache" -maxdepth 1 -name 'initramfs-*.cpio' ! -path "$initramfs" -mmin +120 -delete
fi

# --- run share: the command, its environment, and what comes back -------------------------------
run_dir=$(mktemp -d "${TMPDIR:-/tmp}/podagent-vm-run.XXXXXX")
cleanup() { if [ "${PODAGENT_VM_KEEP:-0}" = 1 ]; then log "run dir kept: $run_dir"; else rm -rf "$run_dir"; fi; }
trap cleanup EXIT
cp "$here/stage2.sh" "$run_dir/stage2.sh"
if [ "$init_mode" = systemd ]; then
  cp "$here/systemd-units.sh" "$run_dir/systemd-units.sh"
  echo systemd >"$run_dir/init-mode"
  echo "${PODAGENT_VM_SYSTEMD_BOOT_TIMEOUT:-300}" >"$run_dir/systemd-boot-timeout"
fi
echo "$cgroup_mode" >"$run_dir/cgroup-mode"
[ -t 1 ] && : >"$run_dir/stdout-is-tty"  # else the guest gives the command a pipe, not a tty
share_args=()
: >"$run_dir/overlay-dirs"
for i in "${!overlay_dirs[@]}"; do
  printf '%s\n' "${overlay_dirs[$i]}" >>"$run_dir/overlay-dirs"
  share_args+=(-fsdev "local,id=ovl$i,path=${overlay_dirs[$i]},security_model=none,readonly=on,multidevs=remap"
               -device "virtio-9p-pci,fsdev=ovl$i,mount_tag=ovl$i")
done
if [ -n "${PODAGENT_VM_SHARE:-}" ]; then
  [ -d "$PODAGENT_VM_SHARE" ] || die "PODAGENT_VM_SHARE=$PODAGENT_VM_SHARE is not a directory"
  share_path=$(cd "$PODAGENT_VM_SHARE" && pwd -P)
  printf '%s\n' "$share_path" >"$run_dir/share-path"
  share_args+=(-fsdev "local,id=out,path=$share_path,security_model=none,multidevs=remap"
               -device virtio-9p-pci,fsdev=out,mount_tag=out)
fi
while IFS= read -r name; do
  case "$name" in PWD|OLDPWD|SHLVL|_|BASH_*|TMPDIR) continue ;; esac
  printf 'export %s=%q\n' "$name" "${!name}"
done < <(compgen -e) >"$run_dir/env.sh"
{
  printf 'cd -- %q || exit 126\n' "$PWD"
  printf 'exec'
  printf ' %q' "$@"
  printf '\n'
} >"$run_dir/cmd.sh"

# --- boot ----------------------------------------------------------------------------------------
# qboot (shipped with Debian's qemu) boots faster than SeaBIOS and prints nothing on the serial line.
firmware=""
[ -f /usr/share/qemu/qboot.rom ] && firmware="-bios /usr/share/qemu/qboot.rom"
cmdline="console=ttyS0 edd=off loglevel=1 panic=-1 mitigations=off tsc=reliable no_timer_check"
if [ "$cgroup_mode" = hybrid ]; then
  cmdline+=" systemd.unified_cgroup_hierarchy=0"
else
  cmdline+=" cgroup_no_v1=all"
  [ "$init_mode" = systemd ] && cmdline+=" systemd.unified_cgroup_hierarchy=1"
fi
# systemd: no units from the host's (empty) fstab, its disks or gettys; its status lines and
# messages go to the serial console (console.log), not to the command's output.
[ "$init_mode" = systemd ] && cmdline+=" fstab=no systemd.gpt_auto=0 systemd.getty_auto=0 systemd.show_status=true systemd.log_target=console systemd.log_level=notice"
set +e
timeout -k 10 "$timeout_s" qemu-system-x86_64 \
  -accel tcg,thread=multi -cpu max -m "$mem" -smp "$smp" \
  -display none -monitor none -no-reboot -nic none $firmware \
  -serial file:"$run_dir/console.log" \
  -device virtio-serial-pci -chardev stdio,id=out,signal=off -device virtconsole,chardev=out \
  -kernel "$kernel" -initrd "$initramfs" -append "$cmdline" \
  -device virtio-rng-pci \
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
  -fsdev local,id=run,path="$run_dir",security_model=none,multidevs=remap \
  -device virtio-9p-pci,fsdev=run,mount_tag=run \
  "${share_args[@]}" \
  </dev/null
qemu_rc=$?
set -e

if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then
  log "timed out after ${timeout_s}s (PODAGENT_VM_TIMEOUT)"
  exit 124
fi
if [ ! -f "$run_dir/rc" ]; then
  if [ -f "$run_dir/init-error" ]; then
    log "guest set-up failed: $(cat "$run_dir/init-error")"
  elif [ "$init_mode" = systemd ]; then
    log "systemd powered the guest off (qemu status $qemu_rc) without an exit code: the command's" \
      "service did not start within ${PODAGENT_VM_SYSTEMD_BOOT_TIMEOUT:-300}s or failed before running it"
  else
    log "guest exited (qemu status $qemu_rc) without an exit code for the command"
  fi
  log "guest console (kernel log) follows:"
  tail -n 60 "$run_dir/console.log" >&2 || true
  exit 125
fi
exit "$(cat "$run_dir/rc")"
