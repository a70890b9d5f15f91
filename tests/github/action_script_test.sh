#!/usr/bin/env bash
# Drives ci/github/run-faultline.sh (the action's "Run faultline" step) as GitHub
# Actions would, with the real faultline binary on PATH and a GITHUB_OUTPUT file:
# plan 3 shards, run each (a SIGSEGV in some cells: the step still succeeds), merge,
# and check the step outputs. Posting is not exercised here (tests of `faultline
# post` run against the GitHub fake). Usage: action_script_test.sh SOURCE_DIR FAULTLINE_BINARY
set -uo pipefail
src="$1"
faultline="$2"
scratch="$(mktemp -d /tmp/faultline-action-XXXXXX)"
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
cd "${scratch}" || exit 1
export PATH="$(dirname "${faultline}"):${PATH}"
cat > faultline.yaml << 'YAML'
version: 1
name: action-test
components:
  lib: { versions: ["1", "2", "3", "4", "5", "6"] }
workloads:
  w: { run: "if [ {{ lib }} -ge 5 ]; then kill -SEGV $$; fi; echo '::set-output name=verdict::pass'" }
stress: { runs: 2, stop: all }
YAML
step() {  # OUTPUT-FILE VAR=VALUE... : runs the step with only these inputs
  local out="$1"
  shift
  : > "${out}"
  env -u FAULTLINE_SHARDS -u FAULTLINE_SHARD -u FAULTLINE_MERGE -u FAULTLINE_RESULTS \
    GITHUB_OUTPUT="${out}" FAULTLINE_CONFIG=faultline.yaml FAULTLINE_POST=false "$@" \
    "${src}/ci/github/run-faultline.sh" > "${out}.log" 2>&1
}
expect_line() {  # FILE LINE
  grep -qxF -- "$2" "$1" || fail "$1: no line '$2' in: $(cat "$1")"
}

step plan.out FAULTLINE_SHARDS=3 || fail "plan: exit $?: $(cat plan.out.log)"
matrix="$(sed -n 's/^matrix=//p' plan.out)"
[ "${matrix}" = "$(faultline plan --shards 3 faultline.yaml)" ] || fail "plan: matrix output '${matrix}'"

for k in 1 2 3; do
  step "shard${k}.out" FAULTLINE_SHARD="${k}/3" || fail "shard ${k}/3: exit $?: $(cat "shard${k}.out.log")"
  expect_line "shard${k}.out" "results=faultline-results/results-${k}.json"
  [ -f "faultline-results/results-${k}.json" ] || fail "shard ${k}/3 wrote no results-${k}.json"
  grep -q '^verdict=\(pass\|crash\)$' "shard${k}.out" || fail "shard ${k}/3: no verdict in $(cat "shard${k}.out")"
done

step merge.out FAULTLINE_MERGE='faultline-results/results-*.json' || fail "merge: exit $?: $(cat merge.out.log)"
expect_line merge.out "results=faultline-results/results.json"
expect_line merge.out "verdict=crash"
expect_line merge.out "crashes=2"
expect_line merge.out "cells=6"
# Workload output in the printed report cannot set outputs or run workflow commands.
grep -q '^::stop-commands::' merge.out.log || fail "merge: report not fenced by ::stop-commands::: $(cat merge.out.log)"
grep -qx 'verdict=pass' merge.out && fail "merge: workload output reached GITHUB_OUTPUT"

rm faultline-results/results-2.json
step partial.out FAULTLINE_MERGE='faultline-results/results-*.json'
status=$?
[ "${status}" -eq 2 ] || fail "merge without shard 2: exit ${status}, expected 2"
grep -q 'shard 2/3 is missing' partial.out.log || fail "merge without shard 2: $(cat partial.out.log)"

step nothing.out FAULTLINE_MERGE='nowhere/results-*.json'
status=$?
[ "${status}" -eq 2 ] || fail "merge of nothing: exit ${status}, expected 2"
grep -q "no file matches merge: 'nowhere/results-\*.json'" nothing.out.log || fail "merge of nothing: $(cat nothing.out.log)"

step bad.out FAULTLINE_SHARD='1/3; rm -rf /'
status=$?
[ "${status}" -eq 2 ] || fail "shard '1/3; rm -rf /': exit ${status}, expected 2"

# A cell whose build fails: the step exits 3 (incomplete) with its outputs written.
mkdir -p broken && cat > broken/faultline.yaml << 'YAML'
version: 1
name: action-broken
components:
  lib: { versions: ["1", "2"], build: "if [ {{ lib }} = 2 ]; then echo 'x.c:3: error: boom'; exit 1; fi" }
workloads:
  w: { run: "true" }
stress: { runs: 1 }
YAML
step broken.out FAULTLINE_CONFIG=broken/faultline.yaml
status=$?
[ "${status}" -eq 3 ] || fail "a failed build: exit ${status}, expected 3: $(cat broken.out.log)"
expect_line broken.out "results=faultline-results/results.json"
expect_line broken.out "verdict=error"

if [ "${failures}" -eq 0 ]; then
  cd / && rm -rf "${scratch}"
  echo "PASS"
  exit 0
fi
echo "${failures} failures; scratch directory kept: ${scratch}"
exit 1
