#!/bin/sh
# Crash parser vs grep on the same log (docs/benchmarks.md, "Crash parser").
# Usage: bench/sanitizers_vs_grep.sh BUILD_DIR [LOG_MB]   (default 1024 MiB)
set -eu
build=${1:?usage: $0 BUILD_DIR [LOG_MB]}
mb=${2:-1024}
log=${FAULTLINE_BENCH_LOG:-/tmp/faultline-bench-crash-log.txt}
export FAULTLINE_BENCH_LOG="$log" FAULTLINE_BENCH_LOG_MB="$mb"
# The benchmark writes the log if it is missing or too small; run it once for that.
"$build/bench/sanitizers_bench" --benchmark_filter=BM_ParseOneAsanReport --benchmark_min_time=0.01 >/dev/null
"$build/bench/sanitizers_bench" --benchmark_filter=BM_ScanLog --benchmark_repetitions=1 --benchmark_min_time=0.01 >/dev/null
ls -l "$log"
cat "$log" >/dev/null  # warm the page cache for grep as for the benchmark
echo "== grep -F -c AddressSanitizer (5 runs)"
for i in 1 2 3 4 5; do
  /usr/bin/time -f "grep: %e s elapsed, %M KiB max RSS" grep -F -c AddressSanitizer "$log"
done
echo "== faultline crash parser"
"$build/bench/sanitizers_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
