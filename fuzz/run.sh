#!/usr/bin/env bash
# Builds a libFuzzer target (clang-22, ASan + UBSan) and runs it.
#
# Usage: fuzz/run.sh TARGET [SECONDS] [libFuzzer flags...]
#   TARGET: ir, pipeline, gguf, safetensors, bench-flags, or all (each in
#   turn, SECONDS apiece)
#
# The targets are CMake targets of the sanitized build (scripts/sanitize.sh
# configures it with -DLOWBIT_FUZZ=ON) in ${LOWBIT_ASAN_BUILD_DIR:-build-asan}.
# Each starts from the seed corpus in fuzz/corpus/TARGET (copied to a working
# corpus under BUILD/fuzz, which keeps what libFuzzer finds) and runs for
# SECONDS (default 60) on one worker. Crashes land in
# BUILD/fuzz/TARGET-artifacts/; exit status 0 means none.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LOWBIT_ASAN_BUILD_DIR:-$ROOT/build-asan}"
TARGETS="ir, pipeline, gguf, safetensors, bench-flags"
TARGET="${1:?usage: fuzz/run.sh $TARGETS or all [SECONDS] [flags...]}"
SECONDS_TO_RUN="${2:-60}"
shift $(( $# >= 2 ? 2 : 1 ))

if [[ "$TARGET" == all ]]; then
  for t in ir pipeline gguf safetensors bench-flags; do
    bash "$0" "$t" "$SECONDS_TO_RUN" "$@"
  done
  exit 0
fi

# Per target: the longest input worth trying (IR and flags are text;
# checkpoints need room for a header and a few tensors).
case "$TARGET" in
  ir|pipeline) MAX_LEN=4096 ;;
  gguf|safetensors) MAX_LEN=8192 ;;
  bench-flags) MAX_LEN=512 ;;
  *) echo "fuzz/run.sh: unknown target '$TARGET' ($TARGETS, all)" >&2; exit 2 ;;
esac

if [[ ! -f "$BUILD/build.ninja" ]]; then
  cmake -G Ninja -S "$ROOT" -B "$BUILD" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld -DLOWBIT_FUZZ=ON
fi
ninja -C "$BUILD" -j "${LOWBIT_JOBS:-2}" "lowbit-$TARGET-fuzzer"

OUT="$BUILD/fuzz"
CORPUS="$OUT/$TARGET-corpus"
ARTIFACTS="$OUT/$TARGET-artifacts"
mkdir -p "$CORPUS" "$ARTIFACTS"
cp -n "$ROOT/fuzz/corpus/$TARGET"/* "$CORPUS"/ 2>/dev/null || true
export LSAN_OPTIONS="suppressions=$ROOT/fuzz/lsan.supp:${LSAN_OPTIONS:-}"
exec "$BUILD/bin/lowbit-$TARGET-fuzzer" "$CORPUS" \
  -max_total_time="$SECONDS_TO_RUN" -timeout=10 -max_len="$MAX_LEN" \
  -rss_limit_mb=4096 -artifact_prefix="$ARTIFACTS/" -print_final_stats=1 "$@"
