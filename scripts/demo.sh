#!/usr/bin/env bash
# The main job on the bundled example: install dependencies, build faultline,
# check the example matrix and show its cells and a 4-way split for CI.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake --preset default > /dev/null
cmake --build --preset default -j "$(nproc)" --target faultline
faultline=build/default/cli/faultline
example=examples/ffi-race/faultline.yaml

echo "== faultline validate ${example}"
"${faultline}" validate "${example}"
echo
echo "== faultline plan ${example} (first 12 of the cells)"
"${faultline}" plan "${example}" | head -n 12
"${faultline}" plan "${example}" | tail -n 1
echo
echo "== faultline plan --shards 4 ${example}  (a GitHub Actions strategy.matrix)"
"${faultline}" plan --shards 4 "${example}"
