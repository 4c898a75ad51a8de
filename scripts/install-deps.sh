#!/usr/bin/env bash
# Installs what nostpp needs from Debian bookworm packages. Idempotent.
#   scripts/install-deps.sh          build + run dependencies
#   scripts/install-deps.sh --test   also what the test suite needs (node, servers, tools)
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  # compiler cache: scripts/build.sh uses it when present (fast rebuilds in fresh clones)
  ccache
  libboost1.74-dev libsimdjson-dev libsecp256k1-dev liblmdb-dev lmdb-utils libssl-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev zlib1g-dev
  libpq-dev libhiredis-dev
  # the build configures the test and benchmark targets too
  googletest libgtest-dev libgmock-dev libbenchmark-dev
)
test_packages=(
  curl procps psmisc
  # real servers the integration and end-to-end tests start on loopback
  postgresql redis-server
  # scrapes the roles' GET /metrics in the observability tests (also provides promtool)
  prometheus
  # static checks of the deployment files (no Docker engine needed)
  docker-compose python3 python3-yaml
  # libFuzzer harnesses (scripts/fuzz.sh): clang, its sanitizer and fuzzer runtimes, and
  # llvm-symbolizer (llvm-14) for readable reports
  clang libclang-rt-14-dev llvm-14
)

packages=("${build_packages[@]}")
if [[ "${1:-}" == "--test" ]]; then
  packages+=("${test_packages[@]}")
  # Node.js may already come from elsewhere on the machine; Debian's is used otherwise.
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    packages+=(nodejs npm)
  fi
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all ${#packages[@]} packages present"
fi
