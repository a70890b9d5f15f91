#!/bin/sh
# Per-run overhead of runner::run_process() against xargs, back to back.
# Usage: bench/runner_overhead.sh PATH/TO/runner_bench [RUNS=2000] [REPEATS=5]
# Builds nothing. Each repeat runs, in turn: xargs -P 2 over /bin/true, the runner
# with 2 threads, the runner with 2 threads as child subreaper. Prints every time,
# then the medians and the ratios runner/xargs.
set -eu
bench=${1:?usage: runner_overhead.sh PATH/TO/runner_bench [RUNS] [REPEATS]}
runs=${2:-2000}
repeats=${3:-5}

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }
minimum() { sort -n | head -n1 | awk '{ printf "%.3f\n", $1 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f\n", m }'; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
while [ "$i" -lt "$repeats" ]; do
  t0=$(now); seq "$runs" | xargs -P 2 -I{} /bin/true; t1=$(now)
  elapsed "$t0" "$t1" >> "$tmp/xargs"
  t0=$(now); "$bench" overhead "$runs" 2 /bin/true > /dev/null; t1=$(now)
  elapsed "$t0" "$t1" >> "$tmp/runner"
  t0=$(now); "$bench" overhead "$runs" 2 --subreaper /bin/true > /dev/null; t1=$(now)
  elapsed "$t0" "$t1" >> "$tmp/subreaper"
  printf 'repeat %d: xargs %.3f s  runner %.3f s  runner+subreaper %.3f s\n' "$i" \
    "$(tail -n1 "$tmp/xargs")" "$(tail -n1 "$tmp/runner")" "$(tail -n1 "$tmp/subreaper")"
  i=$((i + 1))
done
x=$(median < "$tmp/xargs"); r=$(median < "$tmp/runner"); s=$(median < "$tmp/subreaper")
echo "median of $repeats, $runs runs of /bin/true at 2 concurrent:"
printf '  xargs -P 2            %s s\n' "$x"
printf '  runner                %s s  ratio %.2f\n' "$r" "$(echo "$r / $x" | bc -l)"
printf '  runner + subreaper    %s s  ratio %.2f\n' "$s" "$(echo "$s / $x" | bc -l)"
xm=$(minimum < "$tmp/xargs"); rm_=$(minimum < "$tmp/runner"); sm=$(minimum < "$tmp/subreaper")
printf 'fastest of %d: xargs %s s, runner %s s (ratio %.2f), runner + subreaper %s s (ratio %.2f)\n' \
  "$repeats" "$xm" "$rm_" "$(echo "$rm_ / $xm" | bc -l)" "$sm" "$(echo "$sm / $xm" | bc -l)"
