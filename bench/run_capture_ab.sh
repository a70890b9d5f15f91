#!/usr/bin/env bash
# Capture cost of two faultline binaries, A and B, measured INTERLEAVED: each round runs
# `faultline run` of one workload writing SIZE bytes of zeros to stdout under A, then under
# B (the order alternating per round), so that a shared machine's changing load falls on
# both alike. Prints each run's wall time, user+system CPU and peak RSS (GNU time), then
# the medians and the ratio of B's median to A's: on a loaded machine only that ratio is
# comparable between sessions.
# Usage: bench/run_capture_ab.sh A_BINARY B_BINARY [SIZE=2147483648] [ROUNDS=7]
set -euo pipefail
a="$(realpath "${1:?usage: run_capture_ab.sh A B [SIZE] [ROUNDS]}")"
b="$(realpath "${2:?usage: run_capture_ab.sh A B [SIZE] [ROUNDS]}")"
size="${3:-2147483648}"
rounds="${4:-7}"
dir="$(mktemp -d /tmp/faultline-capture-ab-XXXXXX)"
trap 'rm -rf "$dir"' EXIT
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
write_flood_matrix "$dir" "$size"
declare -A wall cpu rss
one() {  # one run of binary $2 (named $1); appends to its lists
  rm -rf "$dir/.faultline"
  /usr/bin/time -o "$dir/time" -f "%e %U %S %M" "$2" run "$dir/faultline.yaml" > /dev/null 2>&1 || true
  read -r w u s m < "$dir/time"
  wall[$1]+="$w "; cpu[$1]+="$(awk "BEGIN {print $u + $s}") "; rss[$1]+="$m "
  printf '  %s: wall %s s, cpu %s s, peak RSS %s KiB\n' "$1" "$w" "$(awk "BEGIN {print $u + $s}")" "$m"
}
for r in $(seq "$rounds"); do
  echo "round $r (load $(cut -d' ' -f1 /proc/loadavg)):"
  if [ $((r % 2)) -eq 1 ]; then one A "$a"; one B "$b"; else one B "$b"; one A "$a"; fi
done
for k in A B; do
  # shellcheck disable=SC2086
  printf '%s median of %s: wall %s s, cpu %s s, peak RSS %s KiB\n' "$k" "$rounds" \
    "$(median ${wall[$k]})" "$(median ${cpu[$k]})" "$(median ${rss[$k]})"
done
# shellcheck disable=SC2086
awk -v wa="$(median ${wall[A]})" -v wb="$(median ${wall[B]})" -v ca="$(median ${cpu[A]})" \
  -v cb="$(median ${cpu[B]})" -v ra="$(median ${rss[A]})" -v rb="$(median ${rss[B]})" \
  'BEGIN { printf "B/A: wall %.3f, cpu %.3f, peak RSS %.3f\n", wb / wa, cb / ca, rb / ra }'
