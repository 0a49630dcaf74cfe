#!/usr/bin/env bash
# Installs what is missing, builds lowbit, and runs the main job on the bundled
# example: a two-layer model whose f32 weights are quantized (int4, groups of
# 32, integer zero points) and packed at compile time by lowbit-opt.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LOWBIT_BUILD_DIR:-$ROOT/build}"
"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build.sh" lowbit-opt
set -x
"$BUILD/bin/lowbit-opt" "$ROOT/examples/mlp.mlir" \
  --pass-pipeline='builtin.module(func.func(canonicalize,cse))'
