#!/usr/bin/env bash
# Builds a libFuzzer target (clang-22, ASan + UBSan) and runs it.
#
# Usage: fuzz/run.sh gguf|safetensors [SECONDS] [libFuzzer flags...]
#
# The target links the reader's sources and the numerics library compiled
# with the sanitizers, against the installed LLVM Support library. It builds
# into ${LOWBIT_BUILD_DIR:-build}/fuzz, starts from the seed corpus in
# fuzz/corpus/TARGET (copied to a working corpus there, which keeps what
# libFuzzer finds), and runs for SECONDS (default 60). Crashes land in
# build/fuzz/TARGET-artifacts/; exit status 0 means none.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${LOWBIT_BUILD_DIR:-$ROOT/build}/fuzz"
TARGET="${1:?usage: fuzz/run.sh gguf|safetensors [SECONDS] [flags...]}"
SECONDS_TO_RUN="${2:-60}"
shift $(( $# >= 2 ? 2 : 1 ))

case "$TARGET" in
  gguf) SOURCES=("$ROOT"/lib/Import/GGUF/*.cpp) ;;
  safetensors) SOURCES=("$ROOT"/lib/Import/Safetensors/*.cpp) ;;
  *) echo "fuzz/run.sh: unknown target '$TARGET' (gguf, safetensors)" >&2; exit 2 ;;
esac

LLVM_CONFIG=llvm-config-22
mkdir -p "$OUT"
BIN="$OUT/$TARGET-fuzzer"
# Rebuild when a source is newer than the binary.
if [[ ! -x "$BIN" || -n "$(find "$ROOT/fuzz" "$ROOT/lib/Numerics" "${SOURCES[@]}" \
      "$ROOT/include" -newer "$BIN" -name '*.[ch]*' | head -1)" ]]; then
  echo "fuzz: building $BIN"
  # shellcheck disable=SC2046
  clang++-22 -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined \
    $("$LLVM_CONFIG" --cxxflags) \
    -I"$ROOT/include" -I"$ROOT/lib/Import/GGUF" -I"$ROOT/lib/Import/Safetensors" \
    "$ROOT/fuzz/$TARGET"_fuzzer.cpp "${SOURCES[@]}" "$ROOT"/lib/Numerics/*.cpp \
    $("$LLVM_CONFIG" --ldflags) -lLLVM-22 -o "$BIN"
fi

CORPUS="$OUT/$TARGET-corpus"
ARTIFACTS="$OUT/$TARGET-artifacts"
mkdir -p "$CORPUS" "$ARTIFACTS"
cp -n "$ROOT/fuzz/corpus/$TARGET"/* "$CORPUS"/ 2>/dev/null || true
exec "$BIN" "$CORPUS" -max_total_time="$SECONDS_TO_RUN" -timeout=10 \
  -rss_limit_mb=4096 -artifact_prefix="$ARTIFACTS/" -print_final_stats=1 "$@"
