#!/usr/bin/env bash
# Builds faultline and runs its tests under three presets (CMakePresets.json), the
# same on a laptop and in CI (.ci/run, which must finish in 45 minutes on a 2-core
# machine). What runs where, and why:
#   default  g++ 12, RelWithDebInfo: everything is built (benchmarks included) and
#            every test runs: unit, e2e, threaded and slow.
#   asan     g++ 12, Debug, faultline itself under ASan+UBSan (a crash finder must
#            not crash): every test except those labelled `slow`, the e2e scenarios
#            whose time goes to their workloads or to node validators while the code
#            of faultline they reach is reached by faster scenarios too (the bundled
#            example, the 1-in-10 flaky bisect, the families workload, the GitHub
#            files' validators: tests/CMakeLists.txt). They would cost ~80 s of
#            tests and ~25 s of build here.
#   tsan     clang 14, -O1 -gline-tables-only, faultline under ThreadSanitizer:
#            only the tests labelled `threaded` are built and run
#            (FAULTLINE_TEST_LABELS): the unit tests of what starts threads (runner's
#            processes, stress loop and build cache, the store's writer, base's
#            timestamps) and the e2e scenarios of `run` (workers, writer) and of the
#            bot (server, workers). TSan finds races between threads only; the other
#            tests start none of faultline's, and would cost ~2 min here. Built with
#            clang 14, this is also the check that clang 14 compiles faultline and
#            every library (a separate clang build cost ~5 minutes of CI).
# A build leaves out the tests its preset does not run (FAULTLINE_TEST_LABELS and
# FAULTLINE_TEST_SKIP_LABELS in CMakeLists.txt), so `ctest --preset NAME` runs the
# same set by hand. Measured times: docs/architecture.md, "What runs under each preset".
# Fails first when a C++ file differs from .clang-format (scripts/check-format.sh).
# Usage: scripts/test.sh [ctest arguments…]   e.g. scripts/test.sh -L e2e
# FAULTLINE_PRESETS="default tsan" scripts/test.sh runs only those presets.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/check-format.sh
# Test-only tools from the npm registry (the SARIF schema validator, a CommonMark
# renderer). Their tests say so and skip when these cannot be installed.
./scripts/install-test-tools.sh || echo "test.sh: test tools not installed; the SARIF schema and CommonMark checks will skip" >&2
jobs="$(nproc)"

for preset in ${FAULTLINE_PRESETS:-default asan tsan}; do
  echo "== ${preset}: configure, build, test"
  cmake --preset "${preset}" > /dev/null
  cmake --build --preset "${preset}" -j "${jobs}"
  ctest --preset "${preset}" "$@"
done
