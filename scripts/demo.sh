#!/usr/bin/env bash
# The main job on the bundled example (examples/ffi-race): install dependencies,
# build faultline, check the matrix, show how it splits for CI, then build and
# stress a slice of it — every library × binding pair under ASan with 8 threads,
# both workloads, 3 runs per cell — and show which pairs crash and why; write the
# Markdown and HTML reports; bisect the binding (first crashing, first fixed) and
# the library. The example plants two bugs (examples/ffi-race/README.md): gatebind
# 0.8-0.9 double-free a pooled call frame's answer; libgate 1.4+ frees a callback
# registration while a worker still calls it (only under the callbacks workload).
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
echo "== faultline plan --shards 4 ${example}  (a GitHub Actions strategy.matrix)"
"${faultline}" plan --shards 4 "${example}"
echo
echo "== faultline run ${example} --only sanitizer=asan --only threads=8 --runs 3"
echo "   (80 cells; each crash is printed as it happens, then the report: the grid, one block per"
echo "    signature with 'where:', the axis that explains it, and the reports' paths)"
status=0
# The build cache keys on the example's sources too (inputs: in the matrix), so a checkout
# whose example changed since its last demo rebuilds exactly what changed.
"${faultline}" run "${example}" --only sanitizer=asan --only threads=8 --runs 3 || status=$?
# 1 means "crashes found": the point of the example. Anything else is a failure.
if [ "${status}" -ne 1 ]; then
  echo "demo: expected crashes (exit 1), got exit ${status}" >&2
  exit 1
fi
state=examples/ffi-race/.faultline
echo
echo "   Two signatures, one per planted bug: the double free in gatebind's frame pool (binding"
echo "   0.8 and 0.9, any library, both workloads) and the use-after-free in libgate's callback"
echo "   dispatch (library 1.4 and later, callbacks only). 'where:' names the axes that explain"
echo "   each (a cell whose runs the other bug ended first is not counted against it); the"
echo "   bisects below pin the versions."

fixed=(--only library=1.0 --only sanitizer=asan --only workload=gates --only threads=8)
echo
echo "== faultline bisect --axis binding --bad 0.9 (library 1.0, ASan, gates, 8 threads)"
"${faultline}" bisect "${example}" --axis binding --bad 0.9 "${fixed[@]}" || [ $? -eq 1 ]
echo
echo "== faultline bisect --axis binding --fixed --bad 0.8"
"${faultline}" bisect "${example}" --axis binding --fixed --bad 0.8 "${fixed[@]}" || [ $? -eq 1 ]
echo
echo "== faultline bisect --axis library (binding 0.7, ASan, callbacks, 8 threads)"
"${faultline}" bisect "${example}" --axis library --only binding=0.7 --only sanitizer=asan \
  --only workload=callbacks --only threads=8 || [ $? -eq 1 ]
echo
echo "== faultline report: Markdown and HTML again, now with the bisect answers"
# run wrote them (report.formats in the matrix) before the bisects added theirs to results.json.
"${faultline}" report --format md "${state}/results.json" -o "${state}/reports/report.md"
"${faultline}" report --format html "${state}/results.json" -o "${state}/reports/report.html"
echo "results:  ${state}/results.json"
echo "markdown: ${state}/reports/report.md"
echo "html:     ${state}/reports/report.html"
