#!/usr/bin/env bash
# `faultline run` of one run writing SIZE bytes with an ASan report in the middle
# (SIZE/2 zero bytes, a newline, the report, SIZE/2 zero bytes; exit 0): the run
# must be a crash with the report's signature. Prints faultline's wall time and
# peak RSS (GNU time) per repeat and their medians.
# Usage: bench/run_capture_report.sh [FAULTLINE_BINARY] [SIZE] [REPEATS]
set -euo pipefail
faultline="$(realpath "${1:-build/default/cli/faultline}")"
size="${2:-2147483648}"
repeats="${3:-3}"
half=$((size / 2))
dir="$(mktemp -d /tmp/faultline-capture-report-XXXXXX)"
trap 'rm -rf "$dir"' EXIT
cp "$(dirname "$0")/../sanitizers/testdata/fixtures/asan_uaf_clang14.txt" "$dir/report.txt"
cat > "$dir/faultline.yaml" <<YAML
version: 1
components:
  none: { versions: ["1"] }
workloads:
  buried: { run: "head -c ${half} /dev/zero; echo; cat report.txt; head -c ${half} /dev/zero; exit 0", timeout: 10m }
stress: { runs: 1 }
YAML
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
walls=(); rss=()
for i in $(seq "$repeats"); do
  status=0
  /usr/bin/time -o "$dir/time" -f "%e %M" "$faultline" run "$dir/faultline.yaml" > "$dir/out" 2>&1 || status=$?
  kind=$(grep -o '"kind": *"heap-use-after-free"' "$dir/.faultline/results.json" | head -1 || true)
  w=$(tail -n1 "$dir/time" | awk '{print $1}'); m=$(tail -n1 "$dir/time" | awk '{print $2}')
  walls+=("$w"); rss+=("$m")
  echo "repeat $i: exit $status ($kind), ${w} s, peak RSS ${m} KiB"
  [ "$status" = 1 ] && [ -n "$kind" ] || { echo "FAIL: the buried report was not seen"; cat "$dir/out"; exit 1; }
done
echo "median: $(median "${walls[@]}") s, peak RSS $(awk "BEGIN {printf \"%.1f\", $(median "${rss[@]}")/1024}") MiB"
