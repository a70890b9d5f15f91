#!/usr/bin/env bash
# Builds faultline and runs every test with the default preset
# (RelWithDebInfo, g++ 12) and with the asan preset (faultline itself under
# ASan+UBSan: a crash finder must not crash). The tsan preset (unit tests and
# the `threaded` scenarios under ThreadSanitizer) is not run here yet: its full
# run has not been verified within CI's time (issue 13); run it by hand with
#   cmake --preset tsan && cmake --build --preset tsan -j2 && ctest --preset tsan
# Then checks that clang 14 builds
# the faultline binary and every library it links (tests are built with g++ only, for time).
# Fails first when a C++ file differs from .clang-format (scripts/check-format.sh).
# Usage: scripts/test.sh [ctest arguments…]   e.g. scripts/test.sh -L e2e
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/check-format.sh
# Test-only tools from the npm registry (the SARIF schema validator, a CommonMark
# renderer). Their tests say so and skip when these cannot be installed.
./scripts/install-test-tools.sh || echo "test.sh: test tools not installed; the SARIF schema and CommonMark checks will skip" >&2
jobs="$(nproc)"

for preset in default asan; do
  echo "== ${preset}: configure, build, test"
  cmake --preset "${preset}" > /dev/null
  cmake --build --preset "${preset}" -j "${jobs}"
  ctest --preset "${preset}" "$@"
done

if [ "${FAULTLINE_SKIP_CLANG:-0}" != "1" ]; then
  echo "== clang: build"
  cmake --preset clang -DFAULTLINE_BENCH=OFF > /dev/null
  cmake --build --preset clang -j "${jobs}" --target faultline
fi
