#!/usr/bin/env bash
# Bounded fuzzing with coverage, for CI and by hand:
#
#   hack/fuzz-images.sh BUILD_DIR [SECONDS]      (default 60 s per target)
#
# BUILD_DIR is the sanitized clang build of hack/configure-sanitized.sh, in which every library is
# compiled with -fsanitize=fuzzer-no-link,address (so libFuzzer sees the coverage of the parsers
# it drives, not just its own entry); the script configures it when it is not one yet. It builds the fuzz
# targets there and runs each over a scratch copy of its seed corpus for SECONDS:
#   fuzz_image_parsers     image references, manifests/indexes/configs, auth challenges, layer tars
#                          (tests/fuzz/image); runs in a private mount namespace with a fresh tmpfs
#                          as TMPDIR and the root mount read-only, so a layer that escapes its root
#                          is caught by the target's checks and does not write to the host
#   fuzz_fuzzcrirequest    CRI requests, protobuf bytes into validation and spec building
#   fuzz_fuzzconfig        the YAML config file                         (tests/fuzz/agent)
#   fuzz_fuzzcniresult     CNI plugin results and error objects
#   fuzz_spdy              SPDY/3.1 frames and zlib header blocks from a streaming client
#                          (tests/fuzz/streaming/corpus)
#   fuzz_ws                a WebSocket streaming client: the upgrade request, subprotocols, the
#                          port-forward ?port= query, then the frames of an exec, attach or
#                          port-forward session run for real against a fake backend
#                          (tests/fuzz/streaming/ws_corpus)
# CI (hack/test.sh) gives each of the 6 targets 22 s, about the 2 minutes the 4 targets had; as
# many targets run at once as the host has cores. A target's libFuzzer output is in
# BUILD_DIR/fuzz/<target>/log, printed only when it failed.
# Prints each target's final "cov:" (edges covered) and "ft:" (features). Exits non-zero on a
# crash or a violated invariant; the input is kept in BUILD_DIR/fuzz/<target>/artifacts/.
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,25p' "$0" >&2; exit 2; }
build=$1
seconds=${2:-60}
src=$(cd "$(dirname "$0")/.." && pwd)
command -v clang++ >/dev/null || { echo "fuzz: clang++ missing (hack/install-deps.sh --test)" >&2; exit 1; }

bash "$src/hack/configure-sanitized.sh" "$build"
build=$(cd "$build" && pwd)
targets=(fuzz_image_parsers fuzz_fuzzcrirequest fuzz_fuzzconfig fuzz_fuzzcniresult fuzz_spdy fuzz_ws)
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

corpus_of() {
  case $1 in
    fuzz_image_parsers) echo "$src/tests/fuzz/image/corpus" ;;
    fuzz_fuzzcrirequest) echo "$src/tests/fuzz/agent/corpus/cri" ;;
    fuzz_fuzzconfig) echo "$src/tests/fuzz/agent/corpus/config" ;;
    fuzz_fuzzcniresult) echo "$src/tests/fuzz/agent/corpus/cni" ;;
    fuzz_spdy) echo "$src/tests/fuzz/streaming/corpus" ;;
    fuzz_ws) echo "$src/tests/fuzz/streaming/ws_corpus" ;;
  esac
}

# fuzz_one TARGET: one target's run; its output goes to BUILD_DIR/fuzz/TARGET/log (printed whole
# when it failed) and its summary line to .../summary.
fuzz_one() {
  local t=$1 out=$build/fuzz/$1 rc cov ft
  rm -rf "$out/corpus"
  mkdir -p "$out/corpus" "$out/artifacts"
  cp "$(corpus_of "$t")"/* "$out/corpus/"
  local run=("$build/tests/$t" -max_total_time="$seconds" -artifact_prefix="$out/artifacts/" -print_final_stats=1 "$out/corpus")
  [ -x "${run[0]}" ] || run[0]=$build/bin/$t
  [ -x "${run[0]}" ] || run[0]=$(find "$build" -name "$t" -type f -perm -u+x | head -1)
  echo "== fuzz: $t for ${seconds}s"
  set +e
  if [ "$t" = fuzz_image_parsers ]; then
    # Private mounts: a fresh tmpfs as TMPDIR (the unpack target's scratch), the root mount
    # read-only, this target's dir bound writable first so libFuzzer can keep inputs.
    unshare --mount --propagation private -- /bin/sh -c '
      set -e
      out=$1; shift
      mkdir -p "$out/scratch"
      mount --bind "$out" "$out"
      mount -t tmpfs -o size=512m podagent-fuzz "$out/scratch"
      mount --rbind / /
      mount -o remount,bind,ro /
      TMPDIR=$out/scratch PODAGENT_FUZZ_PRIVATE_TMP=1 exec "$@"' sh "$out" "${run[@]}" >"$out/log" 2>&1
  else
    "${run[@]}" >"$out/log" 2>&1
  fi
  rc=$?
  set -e
  [ "$rc" -eq 0 ] || { echo "== fuzz: $t FAILED (exit $rc), its log:"; cat "$out/log"; }
  cov=$(grep -o 'cov: [0-9]*' "$out/log" | tail -1)
  ft=$(grep -o 'ft: [0-9]*' "$out/log" | tail -1)
  printf '%-22s %-12s %-12s %s\n' "$t" "${cov:-cov: ?}" "${ft:-ft: ?}" "$([ "$rc" -eq 0 ] && echo ok || echo "FAILED (exit $rc)")" \
    >"$out/summary"
  return "$rc"
}

# One target per core at a time: each is one process on one core.
status=0
pids=()
for t in "${targets[@]}"; do
  rm -f "$build/fuzz/$t/summary"
  fuzz_one "$t" &
  pids+=($!)
  if [ ${#pids[@]} -ge "$(nproc)" ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
echo "== fuzz: coverage after ${seconds}s each"
for t in "${targets[@]}"; do echo "   $(cat "$build/fuzz/$t/summary" 2>/dev/null || echo "$t: no summary (the run did not finish)")"; done
exit "$status"
