#!/usr/bin/env bash
# Installs what is missing, builds lowbit, and runs the main job on the bundled
# example: examples/mlp.mlir through the CPU pipeline (constant weights
# quantized and packed at compile time, dequantization fused into matmuls,
# SiLU into the matmul epilogue, weights packed for this CPU), then one layer
# of realistic size compiled to a kernel, run, checked against a float64
# reference and timed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LOWBIT_BUILD_DIR:-$ROOT/build}"
"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build.sh" lowbit-opt lowbit-translate lowbit-bench

ISA=scalar
if grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo &&
   grep -qw avx512dq /proc/cpuinfo && grep -qw avx512vl /proc/cpuinfo; then
  ISA=avx512
elif grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
  ISA=avx2
fi

set -x
"$BUILD/bin/lowbit-opt" "$ROOT/examples/mlp.mlir" --lowbit-cpu-pipeline="isa=$ISA"
"$BUILD/bin/lowbit-bench" --target=cpu --isa="$ISA" --m=1 --n=4096 --k=4096 \
  --weight=int4 --group=128 --zero=none --scale=f16 --act=f32 --check --repeats=10
