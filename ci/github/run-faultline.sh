#!/usr/bin/env bash
# The "Run faultline" step of ci/github/action.yml: plans, runs, merges or reads
# results, writes the step outputs (verdict, crashes, results, matrix) and
# posts when asked. Inputs arrive as FAULTLINE_* environment variables (never
# pasted into the script), the token as FAULTLINE_TOKEN. Needs `faultline` on PATH
# and GITHUB_OUTPUT. Exit status: faultline's, except that crashes (1) are left to
# the action's "Fail on crashes" step, after posting.
set -uo pipefail

config="${FAULTLINE_CONFIG:-faultline.yaml}"
out_dir="faultline-results"
output="${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set: run this inside GitHub Actions}"

fail() {
  echo "::error title=faultline::$1"
  exit 2
}

# The report quotes workload output: fence it off from workflow commands.
report() {
  local token
  token="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  echo "::stop-commands::${token}"
  faultline report --format terminal "$1"
  local status=$?
  echo "::${token}::"
  return "${status}"
}

# Plan only: the strategy.matrix JSON, one line.
if [ -n "${FAULTLINE_SHARDS:-}" ] && [ -z "${FAULTLINE_SHARD:-}" ]; then
  matrix="$(faultline plan --shards "${FAULTLINE_SHARDS}" "${config}")" || exit $?
  echo "matrix=${matrix}" >> "${output}"
  echo "faultline plan: ${matrix}"
  exit 0
fi

mkdir -p "${out_dir}"
status=0
if [ -n "${FAULTLINE_RESULTS:-}" ]; then
  results="${FAULTLINE_RESULTS}"
  [ -f "${results}" ] || fail "results '${results}' does not exist"
  report "${results}" || status=$?
elif [ -n "${FAULTLINE_MERGE:-}" ]; then
  results="${out_dir}/results.json"
  # The pattern is expanded here on purpose (e.g. faultline-results/results-*.json).
  shopt -s nullglob
  # shellcheck disable=SC2206
  files=(${FAULTLINE_MERGE})
  shopt -u nullglob
  [ ${#files[@]} -gt 0 ] || fail "no file matches merge: '${FAULTLINE_MERGE}'"
  faultline merge "${files[@]}" -o "${results}" || exit $?
  report "${results}" || status=$?
else
  args=(run "${config}")
  results="${out_dir}/results.json"
  if [ -n "${FAULTLINE_SHARD:-}" ]; then
    [[ "${FAULTLINE_SHARD}" =~ ^[0-9]+/[0-9]+$ ]] || fail "shard '${FAULTLINE_SHARD}' is not K/N"
    results="${out_dir}/results-${FAULTLINE_SHARD%%/*}.json"
    args+=(--shard "${FAULTLINE_SHARD}")
  elif [ "${FAULTLINE_POST:-false}" = "true" ]; then
    args+=(--post)  # a pending status now, the final one at the end
  fi
  [ -z "${FAULTLINE_RUNS:-}" ] || args+=(--runs "${FAULTLINE_RUNS}")
  args+=(--out "${results}")
  GITHUB_TOKEN="${FAULTLINE_TOKEN:-}" faultline "${args[@]}" || status=$?
  # 1 = crashes found: a verdict, not a failure of this step. 3 = the matrix is
  # incomplete (a cell did not build): the step fails, with its outputs written
  # (verdict=error) so later steps and jobs can still read them.
  if [ "${status}" -ne 0 ] && [ "${status}" -ne 1 ]; then
    [ -f "${results}" ] && echo "results=${results}" >> "${output}"
    if [ "${status}" -eq 3 ] && [ -f "${results}" ]; then
      faultline report --format github-outputs "${results}" >> "${output}"
    fi
    exit "${status}"
  fi
  status=0
fi

echo "results=${results}" >> "${output}"
faultline report --format github-outputs "${results}" >> "${output}" || exit $?

# Post once: after a merge or an existing results.json (a whole run posted itself with --post).
if [ "${FAULTLINE_POST:-false}" = "true" ] && [ -z "${FAULTLINE_SHARD:-}" ] &&
   { [ -n "${FAULTLINE_MERGE:-}" ] || [ -n "${FAULTLINE_RESULTS:-}" ]; }; then
  post=(post "${results}")
  [ -z "${FAULTLINE_PR:-}" ] || post+=(--pr "${FAULTLINE_PR}")
  [ -z "${FAULTLINE_SHA:-}" ] || post+=(--sha "${FAULTLINE_SHA}")
  [ -z "${FAULTLINE_TARGET_URL:-}" ] || post+=(--target-url "${FAULTLINE_TARGET_URL}")
  [ -z "${FAULTLINE_NAME:-}" ] || post+=(--name "${FAULTLINE_NAME}")
  GITHUB_TOKEN="${FAULTLINE_TOKEN:-}" faultline "${post[@]}" || exit $?
fi
exit "${status}"
