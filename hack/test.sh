#!/usr/bin/env bash
# The README's test command, and what CI runs (.ci/run). Run as root on a Debian 12 machine.
#
#   hack/test.sh           everything, in stages:
#                            deps     build+runtime and test packages (hack/install-deps.sh --test)
#                            build    -Werror, every target
#                            tests    ctest -j -L 'unit|root|e2e' (per-test timeout 600 s; one
#                                     root or e2e test at a time, unit tests beside it)
#                            asan     the unit tests under AddressSanitizer + UBSan (a clang build
#                                     whose libraries also carry libFuzzer's coverage hooks)
#                            fuzz     libFuzzer with coverage on that build: image parsers, CRI
#                                     requests, config, CNI results, SPDY and WebSocket streaming
#                                     clients, 22 s each
#                            vm       the privileged and e2e tests in a cgroup v2 guest (hack/vm/ci.sh)
#                            systemd  a guest with systemd as PID 1: its own checks and the .deb's
#                                     install, start, crictl pod and upgrade, then a second boot on
#                                     systemd's hybrid v1 layout (hack/vm/systemd-ci.sh)
#   hack/test.sh --quick   the inner loop: build+runtime packages, build the unit tests, run them
#
# Every stage runs even when an earlier one failed (except that nothing runs without a build);
# the seconds each took are printed at the end, and after them the name of every test that failed
# (a CI log often shows only its tail). Exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
quick=0
case "${1:-}" in
  "") ;;
  --quick) quick=1 ;;
  *) sed -n '2,19p' "$0" >&2; exit 2 ;;
esac

status=0
stages=()
failed_tests=()
started_all=$(date +%s)
report() {
  local total=$(( $(date +%s) - started_all ))
  echo "== stage times (seconds)"
  local s
  for s in "${stages[@]}"; do echo "   $s"; done
  echo "   total: $total"
  if [ ${#failed_tests[@]} -gt 0 ]; then
    echo "== failed tests (stage: test)"
    for s in "${failed_tests[@]}"; do echo "   $s"; done
  fi
}

# run_ctest STAGE DIR [ctest args...]: ctest on DIR; the tests that failed are kept for the report
# (ctest's list of them is overwritten by the next run in the same dir: the guest reuses build/).
run_ctest() {
  local name=$1 dir=$2 rc=0 line
  shift 2
  rm -f "$dir/Testing/Temporary/LastTestsFailed.log"
  ctest --test-dir "$dir" "$@" || rc=$?
  if [ -f "$dir/Testing/Temporary/LastTestsFailed.log" ]; then
    while IFS= read -r line; do failed_tests+=("$name: ${line#*:}"); done < "$dir/Testing/Temporary/LastTestsFailed.log"
  fi
  return $rc
}

# A guest's failures, from the JUnit file it leaves in BUILD/DIR (vm-ci, vm-systemd).
vm_failures() {  # vm_failures BUILD DIR NAME [JUNIT]: the failed tests of DIR's junit files (a glob; junit*.xml)
  local junit line
  for junit in "$1/$2"/${4:-junit*.xml}; do
    [ -f "$junit" ] || continue
    while IFS= read -r line; do failed_tests+=("$3: $line"); done \
      < <(grep -E '<testcase [^>]*status="fail' "$junit" | sed -E 's/.*name="([^"]*)".*/\1/')
  done
}
trap report EXIT

# stage NAME CMD...: runs CMD, records its seconds and result; a failure marks the run failed.
stage() {
  local name=$1 start rc
  shift
  echo "== $name"
  start=$(date +%s)
  set +e
  "$@"
  rc=$?
  set -e
  stages+=("$(printf '%-6s %5d  %s' "$name" $(( $(date +%s) - start )) "$([ $rc -eq 0 ] && echo ok || echo "FAILED (exit $rc)")")")
  [ $rc -eq 0 ] || status=1
  return $rc
}

configure() {  # configure DIR [cmake args...]
  local dir=$1
  shift
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$dir" -G Ninja -DPODAGENT_WERROR=ON "${launcher[@]}" "$@" >/dev/null
}

# -g1 (line tables and functions, no variables): backtraces and perf still name the code, and
# the build, CI's longest stage, writes and links far less debug info than with full -g.
build() {
  configure build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO='-O2 -g1 -DNDEBUG' \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO='-O2 -g1 -DNDEBUG' && cmake --build build -j"$jobs" "$@"
}

if [ "$quick" = 1 ]; then
  stage deps bash hack/install-deps.sh || exit 1
  stage build build --target unit_tests || exit 1
  stage tests run_ctest tests build -j"$jobs" --output-on-failure --timeout 300 -L unit || true
  exit "$status"
fi

stage deps bash hack/install-deps.sh --test || exit 1
stage build build || exit 1
# Suites named *SystemdGuest (SystemdGuest.*, RootUnitsSystemdGuest.*) need systemd as PID 1 on
# cgroup v2: they fail here by design and run in hack/vm/systemd-ci.sh's guest
# (tests/integration/systemd/README.md).
# -j: root and e2e tests hold one resource lock (RESOURCE_LOCK host, tests/CMakeLists.txt), so
# one of them runs at a time and the unit tests run beside it.
# The sanitized build starts now, at nice 19, beside the tests stage: its root and e2e tests run
# one at a time and leave most of the cores idle, which this build takes. The asan stage waits for
# it (its output is in build/asan-build.log, printed whole if it failed).
asan_build() {
  local start=$SECONDS
  bash hack/configure-sanitized.sh build-asan && cmake --build build-asan -j"$jobs" --target unit_tests || return
  echo "asan build: $(( SECONDS - start )) s, beside the tests stage and after it"
}
( renice -n 19 -p "$BASHPID" >/dev/null || true; asan_build ) >build/asan-build.log 2>&1 &
asan_build_pid=$!
stage tests run_ctest tests build -j"$jobs" --output-on-failure --timeout 600 -L 'unit|root|e2e' -E 'SystemdGuest' || true
asan() {
  local rc=0
  wait "$asan_build_pid" || rc=$?
  [ "$rc" -eq 0 ] || { cat build/asan-build.log; echo "asan: the sanitized build failed (exit $rc)"; return "$rc"; }
  tail -n 2 build/asan-build.log
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run_ctest asan build-asan -j"$jobs" --output-on-failure --timeout 600 -L unit
}
stage asan asan || true
stage fuzz bash hack/fuzz-images.sh build-asan 22 || true
rm -f build/vm-ci/junit*.xml
stage vm bash hack/vm/ci.sh build || true
vm_failures build vm-ci vm
rm -f build/vm-systemd/junit.xml build/vm-systemd/junit-driver.xml build/vm-systemd/junit-hybrid.xml
stage systemd bash hack/vm/systemd-ci.sh build || true
if [ -z "${CRICTL:-$(command -v crictl || true)}" ]; then  # not counted as passed: named in the table
  stages+=("install     -  NOT RUN: the systemd guest's .deb install check needs crictl (set CRICTL)")
fi
vm_failures build vm-systemd systemd junit.xml
vm_failures build vm-systemd systemd-driver junit-driver.xml
vm_failures build vm-systemd systemd-hybrid junit-hybrid.xml
exit "$status"
