#!/usr/bin/env bash
# The README's "run the whole test suite" command, and what CI runs (.ci/run):
#   1. install the dependencies (Debian packages),
#   2. build with -Werror and run every test label: unit, root, e2e (ctest),
#   3. fuzz the image parsers with libFuzzer for a bounded time,
#   4. build the unit tests with ASan+UBSan and run them,
#   5. run the cgroup v2 subset inside a guest kernel (hack/vm/ci.sh).
# Run as root on a Debian 12 machine. Exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

bash hack/install-deps.sh

echo "== build (-Werror)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPODAGENT_WERROR=ON >/dev/null
cmake --build build -j"$jobs"

status=0
echo "== tests: unit, root, e2e"
ctest --test-dir build --output-on-failure --timeout 600 -L 'unit|root|e2e' || status=1

echo "== fuzz: image parsers (references, manifests, auth challenges, layer tars), 60 s"
bash hack/fuzz-images.sh build 60 || status=1

echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPODAGENT_SANITIZE=ON -DPODAGENT_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs" --target unit_tests
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure --timeout 600 -L unit || status=1

if [ -x hack/vm/ci.sh ]; then
  echo "== cgroup v2: privileged subset inside a guest kernel"
  bash hack/vm/ci.sh build || status=1
fi

exit "$status"
