#!/usr/bin/env bash
# Builds lowbit with AddressSanitizer and UndefinedBehaviorSanitizer (clang-22,
# RelWithDebInfo) into ${LOWBIT_ASAN_BUILD_DIR:-build-asan}, with the
# libFuzzer targets, and runs the whole test suite there (unit and lit tests;
# the Python package is not built: docs/development.md). Extra arguments are
# ninja targets instead of check-lowbit (LowbitFuzzers: the fuzz targets).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LOWBIT_ASAN_BUILD_DIR:-$ROOT/build-asan}"

"$ROOT/scripts/setup.sh"
if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -G Ninja -S "$ROOT" -B "$BUILD" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld -DLOWBIT_FUZZ=ON
fi
# Every report is fatal, and ASan and UBSan reports abort, so that a test
# expecting a tool to fail (`not tool ...`) cannot pass on a sanitizer
# report. Leaks of LLVM and MLIR global state would be suppressed by name in
# fuzz/lsan.supp (each entry says why).
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1:${UBSAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$ROOT/fuzz/lsan.supp:${LSAN_OPTIONS:-}"
ninja -C "$BUILD" -j "${LOWBIT_JOBS:-2}" "${@:-check-lowbit}"
