#!/usr/bin/env bash
# hack/configure-sanitized.sh BUILD_DIR: configures (once) the sanitized clang build that CI uses
# twice: its unit tests run under AddressSanitizer + UndefinedBehaviorSanitizer, and every
# library in it carries libFuzzer's coverage hooks (-fsanitize=fuzzer-no-link), so the fuzz
# targets of hack/fuzz-images.sh link against the same objects and see real coverage.
# Line tables only, not full debug info: sanitizer reports keep file:line, and the build (CI's
# second full compile) is cheaper.
set -euo pipefail
[ $# -eq 1 ] || { sed -n '2,5p' "$0" >&2; exit 2; }
build=$1
src=$(cd "$(dirname "$0")/.." && pwd)
grep -q 'fuzzer-no-link' "$build/CMakeCache.txt" 2>/dev/null && exit 0
command -v clang++ >/dev/null || { echo "configure-sanitized: clang++ missing (hack/install-deps.sh --test)" >&2; exit 1; }
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
echo "configure-sanitized: $build (clang, -fsanitize=fuzzer-no-link,address,undefined)"
CC=clang CXX=clang++ cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPODAGENT_SANITIZE=ON \
  -DCMAKE_C_FLAGS_DEBUG=-gline-tables-only -DCMAKE_CXX_FLAGS_DEBUG=-gline-tables-only \
  -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link "${launcher[@]}" >/dev/null
