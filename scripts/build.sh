#!/usr/bin/env bash
# Configures (once) and builds nostpp with ninja, reusing the build directory.
#   scripts/build.sh [release|asan] [ninja targets...]
#   release -> build/       (RelWithDebInfo, -Werror)
#   asan    -> build-asan/  (AddressSanitizer + UndefinedBehaviorSanitizer, no benchmarks)
set -euo pipefail
cd "$(dirname "$0")/.."

flavor="${1:-release}"
shift || true
case "$flavor" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DNOSTPP_SANITIZE=ON -DNOSTPP_BENCHMARKS=OFF) ;;
  *) echo "usage: $0 [release|asan] [targets...]" >&2; exit 2 ;;
esac

# ccache (installed by install-deps.sh) makes a rebuild in a fresh clone, as CI does, take
# minutes instead of twenty; a launcher given in the environment wins.
if [[ -z "${CMAKE_CXX_COMPILER_LAUNCHER:-}" ]] && command -v ccache >/dev/null; then
  flags+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
if [[ ! -f "$dir/build.ninja" ]]; then
  cmake -S . -B "$dir" -G Ninja -DNOSTPP_WERROR=ON "${flags[@]}"
fi
# Two cores: ninja's default parallelism (cores + 2) over-commits memory on Beast TUs.
ninja -C "$dir" -j "$(nproc)" "$@"
