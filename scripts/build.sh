#!/usr/bin/env bash
# Configures (once) and builds lowbit into ${LOWBIT_BUILD_DIR:-build}.
# Extra arguments are ninja targets.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LOWBIT_BUILD_DIR:-$ROOT/build}"

if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -G Ninja -S "$ROOT" -B "$BUILD" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld
fi
# Two jobs: each MLIR translation unit takes about 1 GiB while compiling.
ninja -C "$BUILD" -j "${LOWBIT_JOBS:-2}" "$@"
