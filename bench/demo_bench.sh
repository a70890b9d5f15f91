#!/usr/bin/env bash
# Wall time and CPU utilisation of the README's main command, ./scripts/demo.sh, from a fresh
# clone of HEAD (so faultline and every example build start cold), under /usr/bin/time -v.
# Prints the seconds at which each step of the demo began, then wall, user and system time,
# CPU utilisation ((user + system) / wall / cores) and peak RSS; with REPEATS > 1, the medians.
# Usage: bench/demo_bench.sh [REPEATS=1] [WORKDIR=/tmp/demo-bench]
set -euo pipefail
repeats="${1:-1}" work="${2:-/tmp/demo-bench}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cores="$(nproc)"
median() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f\n", m }'; }
field() { sed -n "s/^[[:space:]]*$1: //p" "$2"; }
seconds_of() {  # "h:mm:ss" or "m:ss.ss" -> seconds
  awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f\n", s }' <<< "$1"
}

rm -rf "$work"
mkdir -p "$work"
for ((i = 0; i < repeats; i++)); do
  clone="$work/clone-$i"
  git clone --quiet --no-hardlinks "$repo" "$clone"
  git -C "$clone" checkout --quiet "$(git -C "$repo" rev-parse HEAD)"
  start="$(date +%s.%N)"
  # Each "== step" line of the demo is stamped with the seconds since the start.
  /usr/bin/time -v -o "$work/time-$i.txt" "$clone/scripts/demo.sh" 2>&1 | tee "$work/demo-$i.log" |
    while IFS= read -r line; do
      case "$line" in "== "*) printf '[%6.1f s] %s\n' "$(echo "$(date +%s.%N) - $start" | bc -l)" "$line" ;; esac
    done
  wall="$(seconds_of "$(field 'Elapsed (wall clock) time (h:mm:ss or m:ss)' "$work/time-$i.txt")")"
  user="$(field 'User time (seconds)' "$work/time-$i.txt")"
  sys="$(field 'System time (seconds)' "$work/time-$i.txt")"
  rss="$(field 'Maximum resident set size (kbytes)' "$work/time-$i.txt")"
  util="$(echo "($user + $sys) / $wall / $cores * 100" | bc -l)"
  printf 'run %d: wall %.1f s, user %.1f s, system %.1f s, CPU %.0f%% of %d cores, peak RSS %d MiB, exit %s\n' \
    "$i" "$wall" "$user" "$sys" "$util" "$cores" "$((rss / 1024))" \
    "$(field 'Exit status' "$work/time-$i.txt")"
  echo "$wall" >> "$work/wall"
  echo "$util" >> "$work/util"
done
if [ "$repeats" -gt 1 ]; then
  echo "median of $repeats: wall $(median < "$work/wall") s, CPU $(median < "$work/util")% of $cores cores"
fi
echo "logs: $work/demo-*.log, $work/time-*.txt"
