#!/usr/bin/env bash
# build-gatebind.sh — builds gatebind VERSION (0.6 … 0.10) and its stress driver against the
# libgate installed in LIBPREFIX; installs PREFIX/bin/stress (rpath to LIBPREFIX/lib) and
# PREFIX/include/gatebind.h. Plants nothing itself (the 0.8/0.9 bug is in gatebind/gatebind.cc).
#   usage: build-gatebind.sh --version 0.N --lib LIBPREFIX --prefix DIR
# Honours CXX, SAN_CXXFLAGS, SAN_LDFLAGS (set by faultline; defaults: c++, no sanitizer).
set -euo pipefail

usage() { echo "usage: build-gatebind.sh --version 0.N --lib LIBPREFIX --prefix DIR" >&2; exit 2; }
version="${FAULTLINE_VERSION:-}"
prefix="${FAULTLINE_PREFIX:-}"
lib=""
while [ $# -gt 0 ]; do
  case "$1" in
    --version|--lib|--prefix) [ $# -ge 2 ] || usage
      case "$1" in --version) version="$2" ;; --lib) lib="$2" ;; --prefix) prefix="$2" ;; esac
      shift 2 ;;
    -h|--help) usage ;;
    *) echo "build-gatebind.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[ -n "$prefix" ] || { echo "build-gatebind.sh: no --prefix given" >&2; usage; }
[ -n "$lib" ] || { echo "build-gatebind.sh: no --lib given" >&2; usage; }
case "$version" in
  0.6|0.7|0.8|0.9|0.10) minor="${version#0.}" ;;
  *) echo "build-gatebind.sh: unknown gatebind version '$version' (known: 0.6 … 0.10)" >&2; exit 1 ;;
esac
if [ ! -f "$lib/lib/libgate.so" ] || [ ! -f "$lib/include/gate.h" ]; then
  echo "build-gatebind.sh: no libgate in '$lib' (want lib/libgate.so and include/gate.h)" >&2; exit 1
fi
lib="$(cd "$lib" && pwd)"

src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/gatebind"
read -r -a san_cxxflags <<< "${SAN_CXXFLAGS:-}"
read -r -a san_ldflags <<< "${SAN_LDFLAGS:-}"
mkdir -p "$prefix/bin" "$prefix/include"
obj="$(mktemp -d "${TMPDIR:-/tmp}/gatebind-build.XXXXXX")"
trap 'rm -rf "$obj"' EXIT
cxx=("${CXX:-c++}" -std=c++17 -Wall -Wextra -pthread)
# The two translation units compile in parallel to keep the build under a couple of seconds;
# the binding at -O2 like libgate, the (template-heavy, bug-free) driver at -O1 for speed.
"${cxx[@]}" -O2 "${san_cxxflags[@]}" -I"$lib/include" -DGATEBIND_VERSION_MINOR="$minor" \
  -c -o "$obj/gatebind.o" "$src/gatebind.cc" & pid=$!
"${cxx[@]}" -O1 "${san_cxxflags[@]}" -I"$lib/include" -c -o "$obj/stress.o" "$src/stress.cc"
wait "$pid"
"${cxx[@]}" "${san_cxxflags[@]}" -o "$prefix/bin/stress.tmp" "$obj/stress.o" "$obj/gatebind.o" \
  -L"$lib/lib" -Wl,-rpath,"$lib/lib" -lgate "${san_ldflags[@]}"
mv -f "$prefix/bin/stress.tmp" "$prefix/bin/stress"
cp "$src/gatebind.h" "$prefix/include/gatebind.h"
echo "build-gatebind.sh: gatebind $version (libgate in $lib) -> $prefix"
