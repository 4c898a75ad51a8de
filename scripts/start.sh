#!/usr/bin/env bash
# Quick start: installs dependencies, builds, and runs `nostpp relay` on
# ws://127.0.0.1:8008 with its data in ./nostpp-data. Extra arguments go to `nostpp relay`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh release nostpp
exec ./build/nostpp relay --bind 127.0.0.1 --port 8008 --data-dir ./nostpp-data "$@"
