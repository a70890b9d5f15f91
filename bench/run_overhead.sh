#!/usr/bin/env bash
# Whole-command overhead of `faultline run` per run: a matrix whose workload is
# /bin/true, 2,000 runs at -j 2, against `seq 2000 | xargs -P 2 -I{} /bin/true`,
# measured back to back, alternating, REPEATS times. Prints each time, the
# medians and the ratio of medians (goal: ≤ 1.15).
# Usage: bench/run_overhead.sh [FAULTLINE_BINARY] [REPEATS]
set -euo pipefail
faultline="$(realpath "${1:-build/default/cli/faultline}")"
repeats="${2:-5}"
dir="$(mktemp -d /tmp/faultline-overhead-XXXXXX)"
trap 'rm -rf "$dir"' EXIT
cat > "$dir/faultline.yaml" <<'YAML'
version: 1
components:
  none: { versions: ["1"] }
workloads:
  noop: { run: /bin/true, params: { n: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] } }
stress: { runs: 200, stop: all }
YAML
now() { date +%s.%N; }
f_times=(); x_times=()
for i in $(seq "$repeats"); do
  t0=$(now); "$faultline" run -j 2 "$dir/faultline.yaml" > /dev/null 2>&1; t1=$(now)
  seq 2000 | xargs -P 2 -I{} /bin/true; t2=$(now)
  f_times+=("$(awk "BEGIN {print $t1 - $t0}")"); x_times+=("$(awk "BEGIN {print $t2 - $t1}")")
  printf 'repeat %d: faultline %.3f s, xargs %.3f s\n' "$i" "${f_times[-1]}" "${x_times[-1]}"
done
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
fm=$(median "${f_times[@]}"); xm=$(median "${x_times[@]}")
printf 'median: faultline %.3f s, xargs %.3f s, ratio %.2f\n' "$fm" "$xm" "$(awk "BEGIN {print $fm / $xm}")"
