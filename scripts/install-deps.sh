#!/usr/bin/env bash
# Installs every build and test dependency of faultline from Debian's packages.
# Idempotent: packages already present are left alone. Nothing comes from anywhere else.
set -euo pipefail

packages=(
  build-essential cmake ninja-build git pkg-config
  g++-12 clang-14 libclang-rt-14-dev llvm-14
  libyaml-cpp-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev
  libcli11-dev nlohmann-json3-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  gdb libxml2-utils time clang-format-14
  chromium    # the HTML report test runs it headless
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
