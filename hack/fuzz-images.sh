#!/usr/bin/env bash
# Bounded fuzzing of the image parsers (references, manifests/indexes/configs, auth challenges,
# layer tars) with libFuzzer, for CI:
#
#   hack/fuzz-images.sh BUILD_DIR [SECONDS]     (default 60 s)
#
# Builds podagent_runtime in BUILD_DIR (an existing CMake build dir), links the fuzz entry
# tests/fuzz/image/ with clang++ -fsanitize=fuzzer, and runs it over a scratch copy of the seed
# corpus for SECONDS. Exits non-zero on a crash or a violated invariant (the input is kept in
# BUILD_DIR/fuzz-image-artifacts/). The seed corpus also runs as the unit test t_image_fuzz_corpus.
set -euo pipefail
[ $# -ge 1 ] || { sed -n '2,11p' "$0" >&2; exit 2; }
build=$(cd "$1" && pwd)
seconds=${2:-60}
src=$(cd "$(dirname "$0")/.." && pwd)
command -v clang++ >/dev/null || { echo "fuzz-images: clang++ missing (apt-get install clang)" >&2; exit 1; }
cmake --build "$build" --target podagent_runtime t_image_fuzz_corpus >/dev/null
# Link with the libraries CMake uses for the corpus test, minus gtest.
libs=$(cd "$build" && ninja -t commands t_image_fuzz_corpus | tail -1 | tr ' ' '\n' |
       grep -E '\.a$|\.so|^-l|^-Wl' | grep -v -e gtest -e gmock | sed "s#^runtime/#$build/runtime/#")
out=$build/fuzz-image
mkdir -p "$out/corpus" "$out/artifacts"
cp -n "$src"/tests/fuzz/image/corpus/* "$out/corpus/"
# shellcheck disable=SC2086
clang++ -std=c++20 -O1 -g -fsanitize=fuzzer -I"$src" "$src/tests/fuzz/image/fuzz_main.cc" \
  "$src/tests/fuzz/image/image_parsers_fuzz.cc" $libs -o "$out/fuzz_image_parsers"
"$out/fuzz_image_parsers" -max_total_time="$seconds" -artifact_prefix="$out/artifacts/" "$out/corpus"
