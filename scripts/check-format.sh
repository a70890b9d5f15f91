#!/usr/bin/env bash
# Fails when a C++ file differs from .clang-format (clang-format-14 from Debian).
# Fix with: scripts/check-format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cc' '*.h')
if [ "${1:-}" = "--fix" ]; then
  clang-format-14 -i "${files[@]}"
  exit 0
fi
if ! clang-format-14 --dry-run --Werror "${files[@]}" 2> /tmp/faultline-format.$$; then
  grep -o '^[^:]*:[0-9]*:[0-9]*' /tmp/faultline-format.$$ | cut -d: -f1 | sort -u | sed 's/^/  /' >&2
  rm -f /tmp/faultline-format.$$
  echo "check-format: the files above differ from .clang-format; run scripts/check-format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/faultline-format.$$
echo "check-format: ${#files[@]} files formatted"
