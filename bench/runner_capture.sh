#!/bin/sh
# Capturing a workload that writes SIZE bytes to stdout: the runner (bounded
# capture, peak RSS of the capturing process) against the same workload
# redirected to /dev/null, and piped through cat to /dev/null.
# Usage: bench/runner_capture.sh PATH/TO/runner_bench [SIZE=2G] [REPEATS=5]
# Builds nothing; the workload is "runner_bench print SIZE" (64 KiB writes).
set -eu
bench=${1:?usage: runner_capture.sh PATH/TO/runner_bench [SIZE] [REPEATS]}
size=${2:-2G}
repeats=${3:-5}

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }
minimum() { sort -n | head -n1 | awk '{ printf "%.3f\n", $1 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f\n", m }'; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
i=0
while [ "$i" -lt "$repeats" ]; do
  t0=$(now); "$bench" print "$size" > /dev/null; t1=$(now)
  elapsed "$t0" "$t1" >> "$tmp/devnull"
  t0=$(now); "$bench" print "$size" | cat > /dev/null; t1=$(now)
  elapsed "$t0" "$t1" >> "$tmp/cat"
  t0=$(now); line=$("$bench" capture "$size"); t1=$(now)
  elapsed "$t0" "$t1" >> "$tmp/runner"
  echo "$line" | sed 's/.*peak_rss_mib=\([0-9.]*\).*/\1/' >> "$tmp/rss"
  printf 'repeat %d: >/dev/null %.3f s  |cat %.3f s  runner %.3f s  (%s)\n' "$i" \
    "$(tail -n1 "$tmp/devnull")" "$(tail -n1 "$tmp/cat")" "$(tail -n1 "$tmp/runner")" "$line"
  i=$((i + 1))
done
d=$(median < "$tmp/devnull"); c=$(median < "$tmp/cat"); r=$(median < "$tmp/runner")
echo "median of $repeats, workload writing $size to stdout:"
printf '  > /dev/null           %s s\n' "$d"
printf '  | cat > /dev/null     %s s\n' "$c"
printf '  runner (captured)     %s s  ratio vs /dev/null %.1f, vs |cat %.2f\n' "$r" \
  "$(echo "$r / $d" | bc -l)" "$(echo "$r / $c" | bc -l)"
printf '  runner peak RSS       %s MiB (max of %s)\n' "$(sort -n "$tmp/rss" | tail -n1)" "$repeats"
cm=$(minimum < "$tmp/cat"); rmin=$(minimum < "$tmp/runner")
printf 'fastest of %d: |cat %s s, runner %s s (ratio %.2f)\n' "$repeats" "$cm" "$rmin" \
  "$(echo "$rmin / $cm" | bc -l)"
