#!/usr/bin/env bash
# measure.sh — checks by hand, without faultline, that the planted bugs behave as README.md
# says: builds library × binding pairs under sanitizers into OUT and runs stress RUNS times per
# workload and thread count, printing one line per cell: failures/runs and the kinds seen.
#   usage: measure.sh OUT COMPILER(gcc|clang-14) "SANITIZERS" "LIB:BINDING …" [RUNS] [SECONDS]
# Flags and runtime options copy faultline's built-in profiles (sanitizers/profile.cc).
set -euo pipefail
out="$1" compiler="$2" sans="$3" pairs="$4" runs="${5:-10}" secs="${6:-1}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
case "$compiler" in gcc) export CC=gcc CXX=g++ ;; clang*) export CC="$compiler" CXX="${compiler/clang/clang++}" ;; esac
common="-g -fno-omit-frame-pointer -fno-optimize-sibling-calls"
export ASAN_OPTIONS="halt_on_error=1:exitcode=23:detect_leaks=1:symbolize=1:detect_stack_use_after_return=1"
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:symbolize=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:symbolize=1:exitcode=25"

kind() {  # the first recognisable failure in a run's output
  local f="$1" rc="$2"
  grep -aoE -m1 'UndefinedBehaviorSanitizer: [A-Za-z-]+|AddressSanitizer: [a-z-]+|attempting double-free|ThreadSanitizer: [a-z-]+( [a-z-]+)?|runtime error|result mismatch|malformed exposure event|exposures do not add up|double free[^"]*|free\(\): [a-z ]+|malloc\(\): [a-z ]+|corrupted [a-z ]+' "$f" \
    | head -1 | sed -e 's/UndefinedBehaviorSanitizer: /ubsan:/; s/AddressSanitizer: /asan:/; s/attempting double-free/asan:double-free/; s/asan:attempting/asan:double-free/; s/ThreadSanitizer: /tsan:/; s/ /-/g' \
    || true
  [ "$rc" -eq 139 ] && echo SIGSEGV
  [ "$rc" -eq 124 ] && echo timeout
  true
}

for san in $sans; do
  case "$san" in
    none) flags="$common" ;;
    asan) flags="-fsanitize=address $common" ;;
    tsan) flags="-fsanitize=thread $common" ;;
    ubsan) flags="-fsanitize=undefined -fno-sanitize-recover=all $common" ;;
  esac
  export SAN_CFLAGS="$flags" SAN_CXXFLAGS="$flags" SAN_LDFLAGS="${flags%% -g*}"
  for pair in $pairs; do
    lv="${pair%%:*}" bv="${pair##*:}"
    lp="$out/$compiler/$san/lib-$lv" bp="$out/$compiler/$san/bind-$bv-lib-$lv"
    [ -f "$lp/lib/libgate.so" ] || (cd "$here" && ./build-libgate.sh --version "$lv" --prefix "$lp" >/dev/null)
    [ -x "$bp/bin/stress" ] || (cd "$here" && ./build-gatebind.sh --version "$bv" --lib "$lp" --prefix "$bp" >/dev/null)
    for mode in gates callbacks; do
      for threads in 1 8; do
        fails=0 kinds="" opsline=""
        for ((i = 0; i < runs; i++)); do
          log="$out/run.log" rc=0
          # (the subshell keeps bash's "Segmentation fault" job notices out of the table)
          (timeout 30 "$bp/bin/stress" --mode "$mode" --threads "$threads" --seconds "$secs" >"$log" 2>&1; exit $?) 2>/dev/null || rc=$?
          if [ "$rc" -ne 0 ]; then
            fails=$((fails + 1)); k="$(kind "$log" "$rc" | head -1)"; kinds="$kinds ${k:-rc=$rc}"
            cp "$log" "$out/fail-$compiler-$san-$lv-$bv-$mode-$threads-$i.log"
          else
            opsline="$(grep -aoE '\([0-9]+ ops/s\)' "$log" | tr -d '()')"
          fi
        done
        summary="$([ -z "$kinds" ] || printf '%s\n' $kinds | sort | uniq -c | awk '{printf "%s×%s ", $2, $1}')"
        printf '%-8s %-5s lib %-3s bind %-4s %-9s t=%s  %2d/%d failed  %s%s\n' "$compiler" "$san" "$lv" "$bv" \
          "$mode" "$threads" "$fails" "$runs" "$summary" "${opsline:+[last ok: $opsline]}"
      done
    done
  done
done
