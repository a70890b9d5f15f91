#!/usr/bin/env bash
# build-libgate.sh — builds libgate VERSION (1.0 … 1.7) into PREFIX/lib/libgate.so and
# PREFIX/include/gate.h. Plants nothing itself (the 1.4+ bug is in libgate/gate.c).
#   usage: build-libgate.sh --version 1.N --prefix DIR
# Honours CC, SAN_CFLAGS, SAN_LDFLAGS (set by faultline; defaults: cc, no sanitizer).
set -euo pipefail

usage() { echo "usage: build-libgate.sh --version 1.N --prefix DIR" >&2; exit 2; }
version="${FAULTLINE_VERSION:-}"
prefix="${FAULTLINE_PREFIX:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --version|--prefix) [ $# -ge 2 ] || usage
      if [ "$1" = --version ]; then version="$2"; else prefix="$2"; fi
      shift 2 ;;
    -h|--help) usage ;;
    *) echo "build-libgate.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[ -n "$prefix" ] || { echo "build-libgate.sh: no --prefix given" >&2; usage; }
case "$version" in
  1.[0-7]) minor="${version#1.}" ;;
  *) echo "build-libgate.sh: unknown libgate version '$version' (known: 1.0 … 1.7)" >&2; exit 1 ;;
esac

src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/libgate"
read -r -a san_cflags <<< "${SAN_CFLAGS:-}"
read -r -a san_ldflags <<< "${SAN_LDFLAGS:-}"
mkdir -p "$prefix/lib" "$prefix/include"
"${CC:-cc}" -std=c11 -O2 -Wall -Wextra -fPIC -pthread "${san_cflags[@]}" \
  -DGATE_VERSION_MINOR="$minor" -shared -o "$prefix/lib/libgate.so.tmp" "$src/gate.c" "${san_ldflags[@]}"
mv -f "$prefix/lib/libgate.so.tmp" "$prefix/lib/libgate.so"
cp "$src/gate.h" "$prefix/include/gate.h"
echo "build-libgate.sh: libgate $version -> $prefix"
