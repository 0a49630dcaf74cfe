// RUN: lowbit-opt %s --lowbit-lower-lut="isa=avx2 group=2 exact=true" | FileCheck %s
// RUN: lowbit-opt %s --lowbit-lower-lut="isa=avx2 group=2 exact=true" | lowbit-opt | FileCheck %s
// RUN: lowbit-opt %s --lowbit-lower-lut="isa=scalar group=8" | FileCheck %s --check-prefix=SCALAR
// RUN: lowbit-opt %s --lowbit-lower-lut="isa=avx2" | FileCheck %s --check-prefix=DEFAULT
// RUN: not lowbit-opt %s --lowbit-lower-lut="isa=avx2 group=2" 2>&1 | FileCheck %s --check-prefix=INT8-GROUP
// RUN: not lowbit-opt %s --lowbit-lower-lut="isa=scalar group=3" 2>&1 | FileCheck %s --check-prefix=GROUP
// RUN: lowbit-opt %s --lowbit-cpu-pipeline="isa=avx2 strategy=lut lut-group=1 lut-exact=true" | FileCheck %s --check-prefix=PIPELINE

// The table options land on the matmul as `strategy lut<...>` (and print
// back the same); the default options print as plain `strategy lut`.
// CHECK: transpose_b strategy lut<group = 2, exact = true> packed si3 layout <bits = 3, word = 32, planes = 32>
// SCALAR: transpose_b strategy lut<group = 8, exact = false> packed si3
// DEFAULT: transpose_b strategy lut packed si3
// INT8-GROUP: error: --lowbit-lower-lut: the avx2 lut kernel rounds its tables to int8 and probes them 16 entries at a time, which takes tables of 4 activations, got 2; use exact (f32) tables for other sizes
// GROUP: error: --lowbit-lower-lut: the lut strategy builds tables of 1, 2, 4 or 8 activations, got 3
// PIPELINE: transpose_b strategy lut<group = 1, exact = true> packed si3
func.func @int3(%x: tensor<1x256xf32>, %q: tensor<64x256xsi3>, %s: tensor<64x4xf16>) -> tensor<1x64xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      : (tensor<1x256xf32>, tensor<64x256xsi3>, tensor<64x4xf16>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}
