#!/usr/bin/env bash
# Cost of core-file stacks (docs/sanitizers.md) for a ~100 MB release binary
# that dies of SIGSEGV printing nothing: the crash without a core (ulimit -c 0),
# with its core written, gdb's `bt` of that core as faultline runs it, and
# `faultline repro` of the crashing cell end to end (build cached). TOUCH=1
# writes the 100 MB array first, so the core holds it too. REPEATS times each;
# prints each time and the medians.
# Usage: [TOUCH=1] bench/core_stack.sh [FAULTLINE_BINARY] [REPEATS]
set -euo pipefail
faultline="$(realpath "${1:-build/default/cli/faultline}")"
repeats="${2:-5}"
touch_arg="${TOUCH:+touch}"
dir="$(mktemp -d /tmp/faultline-core-bench-XXXXXX)"
trap 'rm -rf "$dir"' EXIT
cat > "$dir/big.c" <<'C'
#include <string.h>
static char big[100 << 20] = {1};  /* 100 MiB of .data: a 100 MB executable */
__attribute__((noinline)) void crash_here(volatile int* p) { *p = big[0]; }
int main(int argc, char** argv) {
  if (argc > 1) memset(big, 7, sizeof big);
  crash_here(0);
  return 0;
}
C
gcc -g -O0 -o "$dir/big" "$dir/big.c"
cat > "$dir/faultline.yaml" <<YAML
version: 1
components:
  none: { versions: ["1"] }
sanitizers: [none]
workloads:
  crash: { run: "$dir/big $touch_arg", timeout: 120s }
YAML
now() { date +%s.%N; }
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
echo "binary: $(stat -c %s "$dir/big") bytes; core_pattern: $(cat /proc/sys/kernel/core_pattern)"
plain=(); dumped=(); gdb_t=(); repro=()
cd "$dir"
for i in $(seq "$repeats"); do
  t0=$(now); { sh -c "ulimit -c 0; exec ./big $touch_arg" || true; } 2>/dev/null; t1=$(now)
  { sh -c "ulimit -c unlimited; exec ./big $touch_arg" || true; } 2>/dev/null; t2=$(now)
  core=$(ls -t core* | head -1); size=$(stat -c %s "$core")
  gdb -batch -nx -iex 'set debuginfod enabled off' -ex 'set pagination off' -ex bt -ex 'thread apply all bt 50' ./big --core="$core" > gdb.out 2>&1; t3=$(now)
  rm -f core*
  "$faultline" repro faultline.yaml --only none=1 > repro.out 2>&1 || true; t4=$(now)
  grep -q 'crash_here' repro.out || { echo "repro found no native stack:"; cat repro.out; exit 1; }
  plain+=("$(awk "BEGIN {print $t1 - $t0}")"); dumped+=("$(awk "BEGIN {print $t2 - $t1}")")
  gdb_t+=("$(awk "BEGIN {print $t3 - $t2}")"); repro+=("$(awk "BEGIN {print $t4 - $t3}")")
  printf 'repeat %d: crash %.3f s, crash + core (%d bytes) %.3f s, gdb %.3f s, faultline repro %.3f s\n' \
    "$i" "${plain[-1]}" "$size" "${dumped[-1]}" "${gdb_t[-1]}" "${repro[-1]}"
done
printf 'median: crash %.3f s, crash + core %.3f s, gdb %.3f s, faultline repro %.3f s\n' \
  "$(median "${plain[@]}")" "$(median "${dumped[@]}")" "$(median "${gdb_t[@]}")" "$(median "${repro[@]}")"
