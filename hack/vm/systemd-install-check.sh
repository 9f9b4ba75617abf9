#!/usr/bin/env bash
# hack/vm/systemd-install-check.sh DEB BUSYBOX_LAYOUT: issue 16's install acceptance, run inside
# the systemd guest (PODAGENT_VM_INIT=systemd hack/vm/run.sh; hack/vm/systemd-ci.sh drives it).
# On a node whose PID 1 is systemd:
#   1. `dpkg -i DEB` installs, enables and starts podagent (postinst); the CRI answers at once;
#   2. `systemctl start podagent` returns only once the CRI socket answers (Type=notify): one
#      `crictl version` right after it, no retry, and ActiveState=active;
#   3. crictl runs a pod and a container through it (the busybox image imported from an OCI
#      layout: the guest has no network), the container's process is alive in the kernel; all is
#      stopped and removed; then the same with the config switched to `cgroup_driver: systemd`
#      (the pod a slice, the container an active scope it runs in, no unit left after removal),
#      and the installed config restored; `systemctl stop podagent` leaves it inactive with the
#      socket gone;
#   4. upgrade: with a pod running, `dpkg -i DEB` again restarts the daemon (a new MainPID) and the
#      pod's pause and container processes are the same (pid and start time) and still running;
#   5. `dpkg -r podagent` stops and disables it.
# Pods use the host network (no CNI: the CNI plugins are Go programs, slow under TCG, and the
# subject here is the install, not the network). Every check prints what it saw when it fails.
# Exits 0 when every check passed; the first failed check stops the run (exit 1).
set -uo pipefail

deb=$1
layout=$2
crictl_bin=${CRICTL:?CRICTL must name a crictl binary}
sock=unix:///run/podagent/podagent.sock
work=$(mktemp -d /tmp/podagent-install-check.XXXXXX)
: >"$work/err"
t0=$(date +%s)

say() { echo "install-check [$(( $(date +%s) - t0 ))s]: $*"; }
fail() {
  echo "install-check FAILED: $*" >&2
  echo "--- journalctl -u podagent (last 40 lines)" >&2
  journalctl -u podagent --no-pager -n 40 >&2 2>&1
  exit 1
}
printf 'runtime-endpoint: %s\nimage-endpoint: %s\ntimeout: 60\n' "$sock" "$sock" >"$work/crictl.yaml"
# crictl's warnings go to $work/err; its output alone is the value (a pod or container id).
crictl() { "$crictl_bin" --config "$work/crictl.yaml" "$@" 2>"$work/err"; }
err() { cat "$work/err"; }
prop() { systemctl show -p "$1" --value podagent.service; }
# /proc/PID/stat's start time (field 22), or "gone"; the comm field may hold spaces.
start_time() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo gone; return; }; s=${s##*) }; awk '{print $20}' <<<"$s"; }

expect_answers() {  # expect_answers WHEN: the CRI answers now, with no retry
  local out
  # First the socket itself (a shell test, microseconds after the caller's systemctl returned:
  # crictl, a Go program, starts so slowly under TCG that a daemon not yet listening could catch up).
  [ -S /run/podagent/podagent.sock ] || fail "$1: no socket /run/podagent/podagent.sock yet (ActiveState $(prop ActiveState))"
  out=$(crictl version) || fail "$1: crictl version did not answer at once: $out $(err)"
  grep -q '^RuntimeName: *podagent' <<<"$out" || fail "$1: crictl version said: $out"
  [ "$(prop ActiveState)" = active ] || fail "$1: ActiveState is $(prop ActiveState), not active"
}

[ "$(readlink /proc/1/exe)" = "$(readlink -f /lib/systemd/systemd)" ] ||
  fail "PID 1 is $(readlink /proc/1/exe), not systemd: run in PODAGENT_VM_INIT=systemd hack/vm/run.sh"
[ -f "$deb" ] || fail "no package $deb"
[ -d "$layout" ] || fail "no image layout $layout"
! dpkg -s podagent >/dev/null 2>&1 || fail "podagent is installed already (dpkg -s podagent)"

# --- 1. install --------------------------------------------------------------------------------
s=$(date +%s)
out=$(dpkg -i "$deb" 2>&1) || fail "dpkg -i $deb: $out"
say "dpkg -i took $(( $(date +%s) - s ))s"
[ "$(systemctl is-enabled podagent.service 2>&1)" = enabled ] || fail "not enabled after install: $(systemctl is-enabled podagent.service 2>&1)"
expect_answers "after dpkg -i (postinst starts it)"
out=$(podagent --config /etc/podagent/podagent.yaml image import "$layout" busybox:latest 2>&1) ||
  fail "podagent image import: $out"
crictl images -q | grep -q . || fail "crictl images lists nothing after the import: $(crictl images) $(err)"

# --- 2. stop and start: start returns only once the socket answers ------------------------------
systemctl stop podagent.service || fail "systemctl stop failed"
[ "$(prop ActiveState)" = inactive ] || fail "ActiveState $(prop ActiveState) after stop"
! crictl version >/dev/null 2>&1 || fail "the CRI still answers after systemctl stop"
s=$(date +%s%N)
systemctl start podagent.service || fail "systemctl start failed: $(systemctl status podagent --no-pager 2>&1)"
say "systemctl start returned after $(( ($(date +%s%N) - s) / 1000000 )) ms"
expect_answers "right after systemctl start returned"
[ "$(prop Type)" = notify ] || fail "podagent.service has Type=$(prop Type), not notify"

# --- 3. a pod and a container through crictl -----------------------------------------------------
cat >"$work/pod.json" <<'EOF'
{"metadata": {"name": "install-check", "namespace": "default", "uid": "install-check-1"},
 "hostname": "install-check", "log_directory": "/var/log/pods/install-check",
 "linux": {"security_context": {"namespace_options": {"network": 2}}}}
EOF
cat >"$work/ctr.json" <<'EOF'
{"metadata": {"name": "sleeper"}, "image": {"image": "busybox:latest"},
 "command": ["sleep", "3600"], "log_path": "sleeper.log", "linux": {}}
EOF
run_pod() {  # prints POD CTR
  local pod ctr
  pod=$(crictl runp "$work/pod.json") || fail "crictl runp: $pod $(err)"
  ctr=$(crictl create "$pod" "$work/ctr.json" "$work/pod.json") || fail "crictl create: $ctr $(err)"
  out=$(crictl start "$ctr") || fail "crictl start $ctr: $out $(err)"
  echo "$pod $ctr"
}
container_pid() { crictl inspect -o json "$1" | jq -r '.info.pid'; }
pause_pid() { crictl inspectp -o json "$1" | jq -r '.info.pid'; }
check_running() {  # check_running WHEN POD CTR
  local state pid
  state=$(crictl inspect -o go-template --template '{{.status.state}}' "$3")
  [ "$state" = CONTAINER_RUNNING ] || fail "$1: container state $state $(err)"
  state=$(crictl inspectp -o go-template --template '{{.status.state}}' "$2")
  [ "$state" = SANDBOX_READY ] || fail "$1: pod state $state $(err)"
  pid=$(container_pid "$3")
  grep -qx sleep "/proc/$pid/comm" 2>/dev/null || fail "$1: container pid $pid is not a live sleep ($(cat "/proc/$pid/comm" 2>&1))"
}
remove_pod() {  # remove_pod POD PID...: the pod is gone, and so are its processes
  local pod=$1 p
  shift
  out=$(crictl stopp "$pod" && crictl rmp "$pod") || fail "crictl stopp/rmp $pod: $out $(err)"
  [ -z "$(crictl pods -q)" ] || fail "pods left after rmp: $(crictl pods) $(err)"
  for p in "$@"; do [ "$(start_time "$p")" = gone ] || [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" = Z ] ||
    fail "process $p ($(cat "/proc/$p/comm" 2>&1)) still alive after rmp"; done
}

out=$(run_pod) || exit 1
read -r pod ctr <<<"$out"
check_running "first pod" "$pod" "$ctr"
say "pod $pod with container $ctr runs (container pid $(container_pid "$ctr"), pause pid $(pause_pid "$pod"))"
remove_pod "$pod" "$(container_pid "$ctr")" "$(pause_pid "$pod")"

# --- 3b. the same through crictl under cgroup_driver: systemd, as a kubeadm node would run it ---
# The installed config with the driver switched (and the cgroupfs parent dropped: the systemd
# default is podagent.slice); the original goes back byte for byte before the upgrade below, so
# dpkg sees an unmodified conffile.
conf=/etc/podagent/podagent.yaml
cp -p "$conf" "$work/podagent.yaml.orig" || fail "cannot save $conf"
sed -e 's/^cgroup_driver: cgroupfs$/cgroup_driver: systemd/' -e '/^cgroup_parent: /d' "$work/podagent.yaml.orig" >"$conf"
grep -qx 'cgroup_driver: systemd' "$conf" || fail "$conf has no 'cgroup_driver: cgroupfs' line to switch"
systemctl restart podagent.service || fail "systemctl restart (systemd driver) failed: $(systemctl status podagent --no-pager 2>&1)"
expect_answers "after the restart with cgroup_driver: systemd"
out=$(crictl info -o json | jq -r '.status.conditions[] | select(.type == "RuntimeReady") | .status') ||
  fail "crictl info: $out $(err)"
[ "$out" = true ] || fail "RuntimeReady is '$out' under the systemd driver: $(crictl info) $(err)"
out=$(run_pod) || exit 1
read -r pod ctr <<<"$out"
check_running "systemd driver" "$pod" "$ctr"
cpid=$(container_pid "$ctr")
scope="podagent-$ctr.scope"
[ "$(systemctl show -p ActiveState --value "$scope")" = active ] ||
  fail "systemd driver: unit $scope is $(systemctl show -p ActiveState --value "$scope") ($(systemctl list-units --no-pager 'podagent*' 2>&1))"
grep -q "^0::/podagent.slice/podagent-pod.*\.slice/$scope\$" "/proc/$cpid/cgroup" ||
  fail "systemd driver: container pid $cpid is in $(cat "/proc/$cpid/cgroup"), not in $scope under podagent.slice"
say "systemd driver: pod $pod, container $ctr in $(cut -d: -f3 "/proc/$cpid/cgroup")"
remove_pod "$pod" "$cpid" "$(pause_pid "$pod")"
left=$(systemctl list-units --all --no-legend --plain 'podagent-pod*.slice' 'podagent-*.scope' 2>&1)
[ -z "$left" ] || fail "systemd driver: units left after crictl rmp: $left"
cp -p "$work/podagent.yaml.orig" "$conf" || fail "cannot restore $conf"
systemctl restart podagent.service || fail "systemctl restart (cgroupfs again) failed"
expect_answers "after the restart with the installed config"

systemctl stop podagent.service || fail "systemctl stop failed"
[ "$(prop ActiveState)" = inactive ] || fail "ActiveState $(prop ActiveState) after stop"
[ ! -S /run/podagent/podagent.sock ] || fail "socket /run/podagent/podagent.sock left after stop"

# --- 4. upgrade with a pod running --------------------------------------------------------------
systemctl start podagent.service || fail "systemctl start failed"
expect_answers "right after the second systemctl start"
out=$(run_pod) || exit 1
read -r pod ctr <<<"$out"
check_running "before the upgrade" "$pod" "$ctr"
cpid=$(container_pid "$ctr") ppid=$(pause_pid "$pod")
cstart=$(start_time "$cpid") pstart=$(start_time "$ppid")
main_before=$(prop MainPID)
s=$(date +%s)
out=$(dpkg -i "$deb" 2>&1) || fail "upgrade dpkg -i $deb: $out"
say "upgrade (dpkg -i again) took $(( $(date +%s) - s ))s"
main_after=$(prop MainPID)
[ "$main_after" != "$main_before" ] && [ "$main_after" != 0 ] ||
  fail "the upgrade did not restart the daemon (MainPID $main_before before, $main_after after)"
expect_answers "after the upgrade"
[ "$(start_time "$cpid")" = "$cstart" ] || fail "container process $cpid changed across the upgrade ($cstart, now $(start_time "$cpid"))"
[ "$(start_time "$ppid")" = "$pstart" ] || fail "pause process $ppid changed across the upgrade ($pstart, now $(start_time "$ppid"))"
check_running "after the upgrade" "$pod" "$ctr"
[ "$(container_pid "$ctr")" = "$cpid" ] || fail "the restarted daemon reports container pid $(container_pid "$ctr"), was $cpid"
say "daemon restarted (MainPID $main_before -> $main_after); pod $pod kept pause $ppid and container $cpid"
remove_pod "$pod" "$cpid" "$ppid"

# --- 5. removal ---------------------------------------------------------------------------------
out=$(dpkg -r podagent 2>&1) || fail "dpkg -r podagent: $out"
[ "$(prop ActiveState)" = inactive ] || fail "ActiveState $(prop ActiveState) after dpkg -r"
[ "$(systemctl is-enabled podagent.service 2>&1)" != enabled ] || fail "still enabled after dpkg -r"
rm -rf "$work"
say "all checks passed"
