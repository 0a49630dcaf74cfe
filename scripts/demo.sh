#!/usr/bin/env bash
# Installs what is missing, builds lowbit, and runs the main job on the bundled
# example model: examples/block/make_block.py writes the linear layers of a
# transformer block with random quantized weights (int4, uint4 with zero
# points, int8), lowbit-compile turns it into a kernel library for this CPU
# (dequantization fused into the matmuls, SiLU / product / residual into
# their epilogues, weights packed for the ISA), builds it, and runs every
# layer against a float64 reference with timing. Then one layer of realistic
# size through lowbit-bench, against the memory bandwidth it measures.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${LOWBIT_BUILD_DIR:-$ROOT/build}"
"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build.sh" lowbit-opt lowbit-translate lowbit-bench lowbit-compile

ISA=scalar
if grep -qw avx512f /proc/cpuinfo && grep -qw avx512bw /proc/cpuinfo &&
   grep -qw avx512dq /proc/cpuinfo && grep -qw avx512vl /proc/cpuinfo; then
  ISA=avx512
elif grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
  ISA=avx2
fi

set -x
mkdir -p "$BUILD/examples"
python3 "$ROOT/examples/block/make_block.py" --seed 0 -o "$BUILD/examples/block.mlir"
"$BUILD/bin/lowbit-compile" "$BUILD/examples/block.mlir" --target=cpu --isa="$ISA" \
  -o "$BUILD/examples/block-cpu" --run --m=1
"$BUILD/bin/lowbit-bench" --target=cpu --isa="$ISA" --m=1 --n=4096 --k=4096 \
  --weight=int4 --group=128 --zero=none --scale=f16 --act=f32 --check --repeats=10
