#!/usr/bin/env bash
# Whole-command capture cost of `faultline run`: one run of a workload writing
# SIZE bytes to stdout. Reports faultline's peak RSS (GNU time, %M) and wall
# time, beside the same workload redirected to /dev/null and piped through cat
# (a pipe reader that keeps nothing), REPEATS times; prints medians and ratios.
# Goals (issue 3): peak RSS ≤ 64 MiB; wall ratio vs /dev/null ≤ 1.3.
# Usage: bench/run_capture.sh [FAULTLINE_BINARY] [SIZE] [REPEATS]   (needs the `time` package)
set -euo pipefail
faultline="$(realpath "${1:-build/default/cli/faultline}")"
size="${2:-2147483648}"
repeats="${3:-3}"
dir="$(mktemp -d /tmp/faultline-capture-XXXXXX)"
trap 'rm -rf "$dir"' EXIT
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
write_flood_matrix "$dir" "$size"
f_wall=(); f_rss=(); n_wall=(); c_wall=()
for i in $(seq "$repeats"); do
  /usr/bin/time -o "$dir/time" -f "%e %M" "$faultline" run "$dir/faultline.yaml" > /dev/null 2>&1 || true
  w=$(awk '{print $1}' "$dir/time"); m=$(awk '{print $2}' "$dir/time")
  f_wall+=("$w"); f_rss+=("$m")
  /usr/bin/time -o "$dir/time" -f "%e" sh -c "head -c ${size} /dev/zero > /dev/null"; n=$(cat "$dir/time")
  /usr/bin/time -o "$dir/time" -f "%e" sh -c "head -c ${size} /dev/zero | cat > /dev/null"; c=$(cat "$dir/time")
  n_wall+=("$n"); c_wall+=("$c")
  echo "repeat $i: faultline ${w} s, peak RSS ${m} KiB; > /dev/null ${n} s; | cat ${c} s"
done
fw=$(median "${f_wall[@]}"); fr=$(median "${f_rss[@]}"); nw=$(median "${n_wall[@]}"); cw=$(median "${c_wall[@]}")
echo "median: faultline ${fw} s, peak RSS $(awk "BEGIN {printf \"%.1f\", $fr/1024}") MiB; /dev/null ${nw} s; cat ${cw} s"
echo "ratio vs /dev/null: $(awk "BEGIN {printf \"%.2f\", ($nw > 0 ? $fw/$nw : 0)}"); ratio vs | cat: $(awk "BEGIN {printf \"%.2f\", $fw/$cw}")"
