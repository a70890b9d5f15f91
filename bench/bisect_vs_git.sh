#!/bin/sh
# `git bisect run` against `faultline bisect` on the same generated history
# (docs/benchmarks.md, "Bisect: whole command against git bisect").
# Usage: bench/bisect_vs_git.sh FAULTLINE [COMMITS] [K] [FLAKY_TRIALS]
#   COMMITS commits of a small C program (default 64); from commit K (default 37)
#   on it crashes: always (deterministic), or in 30% of runs (flaky). Each case
#   is run by both tools in a fresh copy; the flaky one FLAKY_TRIALS times
#   (default 5). git bisect's script builds and runs the program once per step,
#   as a user would write it; faultline bisect runs with -j 1 and no earlier
#   results. Prints a Markdown table: trials, correct answers, mean builds,
#   runs and wall seconds.
# FAULTLINE_BENCH_BUILD_SECONDS (default 0) adds that long a sleep to every
# build of both tools, for histories whose builds cost more than this one's.
# FAULTLINE_BENCH_AHEAD=TRIALS instead compares `faultline bisect -j 1` with
# `-j 2` (building ahead) on the deterministic history, TRIALS fresh copies,
# the two interleaved (their order alternating per trial): one line per run,
# then a Markdown table of medians and the -j 2 / -j 1 wall-time ratio.
set -eu
faultline=$(realpath "${1:?usage: $0 FAULTLINE [COMMITS] [K] [FLAKY_TRIALS]}")
commits=${2:-64}
k=${3:-37}
flaky_trials=${4:-5}
build_sleep=${FAULTLINE_BENCH_BUILD_SECONDS:-0}
work=$(mktemp -d /tmp/faultline-bisect-vs-git-XXXXXX)
echo "scratch: $work" >&2

# history DIR PERCENT: COMMITS commits; from K on, the program crashes in PERCENT% of runs.
history() {
  mkdir -p "$1" && cd "$1"
  git init -q lib && cd lib
  git config user.email bench@example.com && git config user.name bench
  i=1
  while [ "$i" -le "$commits" ]; do
    if [ "$i" -ge "$k" ]; then pct=$2; else pct=0; fi
    cat > lib.c <<EOF
/* commit $i */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
int main(void) {
  srand((unsigned)(time(NULL) ^ getpid() ^ clock()));
  if (rand() % 100 < $pct) { int* volatile p = NULL; return *p; }
  puts("ok");
  return 0;
}
EOF
    git add lib.c && git commit -qm "commit $i" && git tag "c$i"
    i=$((i + 1))
  done
  cd ../..
}

now() { date +%s.%N; }

# git_trial DIR: git bisect run from c1 (good) to cCOMMITS (bad); prints
# "correct builds runs seconds".
git_trial() {
  dir=$1
  cat > "$dir/step.sh" <<EOF
#!/bin/sh
echo >> "$dir/builds"
sleep $build_sleep
cc -O1 -o "$dir/prog" lib.c || exit 125
echo >> "$dir/runs"
"$dir/prog" >/dev/null 2>&1 && exit 0 || exit 1
EOF
  chmod +x "$dir/step.sh"
  : > "$dir/builds"
  : > "$dir/runs"
  start=$(now)
  (cd "$dir/lib" && git bisect start "c$commits" c1 >/dev/null &&
    git bisect run "$dir/step.sh" > "$dir/git-bisect.log" 2>&1)
  end=$(now)
  first=$(git -C "$dir/lib" rev-parse refs/bisect/bad)
  git -C "$dir/lib" bisect reset >/dev/null 2>&1
  want=$(git -C "$dir/lib" rev-parse "c$k")
  echo "$([ "$first" = "$want" ] && echo 1 || echo 0) $(wc -l < "$dir/builds") $(wc -l < "$dir/runs") $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')"
}

# faultline_trial DIR [JOBS]: faultline bisect -j JOBS (default 1) over c1..cCOMMITS;
# prints "correct builds runs seconds built-ahead used-ahead".
faultline_trial() {
  dir=$1
  jobs=${2:-1}
  rm -rf "$dir/.faultline"
  cat > "$dir/faultline.yaml" <<EOF
version: 1
components:
  lib:
    versions: { git: { repo: lib, range: c1..c$commits } }
    source: { git: lib }
    build: sleep $build_sleep && cc -O1 -o {{ prefix }}/prog lib.c
sanitizers: [none]
workloads:
  w: { run: "{{ prefix.lib }}/prog" }
EOF
  start=$(now)
  (cd "$dir" && "$faultline" bisect --axis lib -j "$jobs" --no-results > faultline.out 2> faultline.err) || true
  end=$(now)
  want=$(git -C "$dir/lib" rev-parse "c$k" | cut -c1-12)
  python3 - "$dir" "$want" "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')" <<'EOF'
import json, sys
d, want, seconds = sys.argv[1], sys.argv[2], sys.argv[3]
answer = json.load(open(d + "/.faultline/bisect-lib.json"))
results = json.load(open(d + "/.faultline/results.json"))
# Every build the probed versions needed, each built once (a repeated probe finds it cached).
builds = sum(1 for b in results["builds"] if b["state"] in ("ok", "failed"))
correct = answer.get("outcome") == "culprit" and answer.get("first_bad") == want
ahead = answer.get("built_ahead", {})
print(int(correct), builds, results["totals"]["runs"], seconds, ahead.get("built", 0), ahead.get("used", 0))
EOF
}

# row CASE LABEL TOOL TRIALS PERCENT: the mean of TRIALS trials as a table row.
row() {
  n=0
  sums="0 0 0 0"
  while [ "$n" -lt "$4" ]; do
    n=$((n + 1))
    dir="$work/$1-$3-$n"
    (history "$dir" "$5") >/dev/null
    got=$("$3_trial" "$dir" | cut -d' ' -f1-4)
    echo "$1 $3 trial $n: right builds runs seconds = $got" >&2
    sums=$(echo "$sums $got" | awk '{ print $1+$5, $2+$6, $3+$7, $4+$8 }')
  done
  echo "$sums" | awk -v c="$2" -v t="$3" -v n="$4" \
    '{ printf "| %s | %s | %d | %d of %d | %.1f | %.1f | %.1f |\n", c, t == "git" ? "git bisect run" : "faultline bisect", n, $1, n, $2 / n, $3 / n, $4 / n }'
}

# ahead TRIALS: faultline -j 1 against -j 2 on fresh copies of the deterministic history.
ahead() {
  n=0
  : > "$work/ahead.txt"
  while [ "$n" -lt "$1" ]; do
    n=$((n + 1))
    dir="$work/ahead-$n"
    (history "$dir" 100) >/dev/null
    if [ $((n % 2)) -eq 1 ]; then order="1 2"; else order="2 1"; fi
    for j in $order; do
      got=$(faultline_trial "$dir" "$j")
      echo "trial $n -j $j: right builds runs seconds built-ahead used = $got" >&2
      echo "$j $got" >> "$work/ahead.txt"
    done
  done
  python3 - "$work/ahead.txt" <<'EOF'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
by = {j: [list(map(float, r[1:])) for r in rows if r[0] == j] for j in ("1", "2")}
med = lambda j, k: statistics.median(r[k] for r in by[j])
print("| faultline bisect | trials | right answer | builds | runs | built ahead | used | wall s (median) |")
print("|---|--:|---|--:|--:|--:|--:|--:|")
for j in ("1", "2"):
    right = sum(int(r[0]) for r in by[j])
    print(f"| -j {j} | {len(by[j])} | {right} of {len(by[j])} | {med(j, 1):.0f} | {med(j, 2):.0f} | "
          f"{med(j, 4):.0f} | {med(j, 5):.0f} | {med(j, 3):.2f} |")
ratios = sorted(b[3] / a[3] for a, b in zip(by["1"], by["2"]))
print(f"\nwall time -j 2 / -j 1 per trial: median {statistics.median(ratios):.2f} "
      f"(range {ratios[0]:.2f}-{ratios[-1]:.2f})")
EOF
}

if [ "${FAULTLINE_BENCH_AHEAD:-0}" -gt 0 ]; then
  ahead "$FAULTLINE_BENCH_AHEAD"
  exit 0
fi

echo "| case | tool | trials | right answer | builds | runs | wall s |"
echo "|---|---|--:|---|--:|--:|--:|"
row deterministic deterministic git 1 100
row deterministic deterministic faultline 1 100
row flaky "flaky 30%" git "$flaky_trials" 30
row flaky "flaky 30%" faultline "$flaky_trials" 30
