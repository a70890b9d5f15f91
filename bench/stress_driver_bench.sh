#!/usr/bin/env bash
# Throughput of the ffi-race stress driver under each sanitizer: a correct pair (libgate 1.3 ×
# gatebind 0.10 unless told otherwise) built with the flags of faultline's built-in profiles
# (as examples/ffi-race/measure.sh does), run REPEATS times per sanitizer × workload × threads.
# Prints every run's ops/s, then the medians and the slowdown of each sanitizer against none.
# Usage: bench/stress_driver_bench.sh [OUT=/tmp/stress-bench] [REPEATS=5] [SECONDS=1] [LIB:BINDING=1.3:0.10]
set -euo pipefail
out="${1:-/tmp/stress-bench}" repeats="${2:-5}" secs="${3:-1}" pair="${4:-1.3:0.10}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../examples/ffi-race" && pwd)"
lv="${pair%%:*}" bv="${pair##*:}"
common="-g -fno-omit-frame-pointer -fno-optimize-sibling-calls"
export CC=gcc CXX=g++
export ASAN_OPTIONS="halt_on_error=1:exitcode=23:detect_leaks=1:symbolize=1:detect_stack_use_after_return=1"
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:symbolize=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:symbolize=1:exitcode=25"
sanitizers=(none asan tsan ubsan)

flags_of() {
  case "$1" in
    none) echo "$common" ;;
    asan) echo "-fsanitize=address $common" ;;
    tsan) echo "-fsanitize=thread $common" ;;
    ubsan) echo "-fsanitize=undefined -fno-sanitize-recover=all $common" ;;
  esac
}

build() {  # build SANITIZER -> prints the stress binary
  local san="$1" flags lp bp
  flags="$(flags_of "$san")"
  lp="$out/$san/lib-$lv" bp="$out/$san/bind-$bv"
  export SAN_CFLAGS="$flags" SAN_CXXFLAGS="$flags" SAN_LDFLAGS="${flags%% -g*}"
  [ "$san" = none ] && SAN_LDFLAGS=""
  [ -f "$lp/lib/libgate.so" ] || (cd "$here" && ./build-libgate.sh --version "$lv" --prefix "$lp" >/dev/null)
  [ -x "$bp/bin/stress" ] || (cd "$here" && ./build-gatebind.sh --version "$bv" --lib "$lp" --prefix "$bp" >/dev/null)
  echo "$bp/bin/stress"
}

median() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.0f\n", m }'; }

mkdir -p "$out"
rm -f "$out"/*.ops
declare -A bin
for san in "${sanitizers[@]}"; do bin[$san]="$(build "$san")"; done

# Sanitizers interleaved within each repeat, so drifting machine load hits all of them alike.
for mode in gates callbacks; do
  for threads in 1 8; do
    for ((i = 0; i < repeats; i++)); do
      for san in "${sanitizers[@]}"; do
        ops="$("${bin[$san]}" --mode "$mode" --threads "$threads" --seconds "$secs" | sed -n 's/.*(\([0-9]*\) ops\/s).*/\1/p')"
        echo "$ops" >> "$out/$mode-$threads-$san.ops"
        printf '%-9s threads=%-2s %-5s repeat %d: %s ops/s\n' "$mode" "$threads" "$san" "$i" "$ops"
      done
    done
  done
done

echo
echo "median of $repeats runs of ${secs} s, libgate $lv × gatebind $bv, gcc:"
printf '%-9s %-7s %10s %16s %16s %16s\n' workload threads none asan tsan ubsan
for mode in gates callbacks; do
  for threads in 1 8; do
    declare -A med=()
    for san in "${sanitizers[@]}"; do med[$san]="$(median < "$out/$mode-$threads-$san.ops")"; done
    printf '%-9s %-7s %10s' "$mode" "$threads" "${med[none]}"
    for san in asan tsan ubsan; do
      printf ' %16s' "${med[$san]} ($(awk -v n="${med[none]}" -v s="${med[$san]}" 'BEGIN { printf "%.1f×", n / s }'))"
    done
    echo
  done
done
rm -f "$out"/*.ops
