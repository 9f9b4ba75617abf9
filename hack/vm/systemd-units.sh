#!/bin/bash
# hack/vm/systemd-units.sh DIR: writes the transient unit set of the systemd guest
# (PODAGENT_VM_INIT=systemd) into DIR (/run/systemd/system: the guest's /run is a tmpfs, so
# nothing of it outlives the guest). stage2.sh runs it just before it execs systemd with
# --unit=podagent-vm.target.
#
# - podagent-vm.target: the boot's only goal. It pulls in the command's service, journald and
#   D-Bus (sd-bus reaches systemd on /run/systemd/private or the system bus), not
#   multi-user.target, so the host's enabled units (docker-registry, postgresql, prometheus,
#   apt timers under /etc/systemd/system/*.wants) do not start.
# - podagent-vm-run.service: `stage2.sh --run` (the command with the host's environment in its
#   working directory, stdio on the virtio console, exit code to the run share). It powers the
#   guest off when it ends, however it ends; if it has not started within the boot bound (the
#   run share's systemd-boot-timeout, seconds) the guest powers off without an exit code, which
#   run.sh reports as 125.
# - masks for what sysinit.target pulls in and the guest has no use for (udev, the host's
#   modules-load.d and sysctl.d, random seed, /tmp clean-up over the RAM disk, ...): they cost
#   boot time under TCG and the bash guest has none of them either.
set -euo pipefail
dir=$1
share=/run/podagent-vm
boot_timeout=$(cat "$share/systemd-boot-timeout" 2>/dev/null || echo 300)
mkdir -p "$dir"

cat >"$dir/podagent-vm.target" <<'EOF'
[Unit]
Description=podagent test guest (hack/vm): the command and what it needs
Wants=podagent-vm-run.service systemd-journald.service dbus.socket dbus.service
AllowIsolate=yes
EOF

cat >"$dir/podagent-vm-run.service" <<EOF
[Unit]
Description=podagent test guest: the command of hack/vm/run.sh
Requires=dbus.socket
Wants=dbus.service systemd-journald.service
After=sysinit.target dbus.socket dbus.service systemd-journald.service
JobTimeoutSec=$boot_timeout
JobTimeoutAction=poweroff-immediate
SuccessAction=poweroff-immediate
FailureAction=poweroff-immediate

[Service]
# exec: the start job (bounded by JobTimeoutSec) ends when the command is running, not when it
# ends; the command itself is bounded by run.sh's PODAGENT_VM_TIMEOUT.
Type=exec
ExecStart=/bin/bash $share/stage2.sh --run
StandardInput=null
StandardOutput=journal+console
StandardError=inherit
# Like a container runtime's unit (deploy/systemd/podagent.service): the command owns its cgroup
# subtree, and every controller systemd knows is enabled down to it.
Delegate=yes
TimeoutStopSec=10
EOF

masked=(
  systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket
  systemd-udev-trigger.service systemd-udev-settle.service systemd-hwdb-update.service
  systemd-timesyncd.service systemd-pstore.service systemd-random-seed.service
  systemd-firstboot.service systemd-repart.service systemd-pcrphase-sysinit.service
  systemd-pcrphase.service systemd-binfmt.service proc-sys-fs-binfmt_misc.automount
  systemd-tmpfiles-setup.service systemd-tmpfiles-clean.timer systemd-journal-flush.service
  systemd-update-utmp.service systemd-machine-id-commit.service systemd-modules-load.service
  systemd-sysctl.service systemd-sysusers.service systemd-journal-catalog-update.service
  systemd-update-done.service systemd-remount-fs.service systemd-fsck-root.service
  sys-fs-fuse-connections.mount sys-kernel-config.mount
)
for u in "${masked[@]}"; do ln -sf /dev/null "$dir/$u"; done
