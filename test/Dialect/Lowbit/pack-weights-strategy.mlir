// RUN: lowbit-opt %s --lowbit-pack-weights="isa=avx2 strategy=int8-dot" --split-input-file --verify-diagnostics | FileCheck %s --check-prefix=INT8
// RUN: lowbit-opt %s --lowbit-pack-weights="isa=avx2 strategy=auto" --split-input-file | FileCheck %s --check-prefix=AUTO
// RUN: lowbit-opt %s --lowbit-pack-weights="isa=avx2" --split-input-file | FileCheck %s --check-prefix=OWN
// RUN: lowbit-opt %s --lowbit-pack-weights="isa=avx2 strategy=dequant" --split-input-file | FileCheck %s --check-prefix=DEQUANT

// int8-dot packs bytes: 32 lanes of 2 codes each, one shift and mask from
// 32 consecutive codes; the matmul records its strategy. Without a
// requested strategy the op's own (none here) applies: dequant.
// INT8-LABEL: func.func @int4
// INT8: lowbit.pack %{{.*}} layout <bits = 4, word = 8, aligned, lanes = 32> : tensor<64x256xsi4> -> tensor<64x128xi8>
// INT8: lowbit.matmul {{.*}} transpose_b strategy int8_dot packed si4 layout <bits = 4, word = 8, aligned, lanes = 32>
// auto: table lookup for 4-bit weights and one row of activations.
// AUTO-LABEL: func.func @int4
// AUTO: lowbit.matmul {{.*}} transpose_b strategy lut packed si4 layout <bits = 4, word = 32, planes = 32>
// OWN-LABEL: func.func @int4
// OWN-NOT: strategy
// OWN: lowbit.matmul {{.*}} transpose_b packed si4 layout <bits = 4, word = 32, aligned, lanes = 8>
// DEQUANT-LABEL: func.func @int4
// DEQUANT-NOT: strategy
// DEQUANT: layout <bits = 4, word = 32, aligned, lanes = 8>
func.func @int4(%x: tensor<1x256xf32>, %q: tensor<64x256xsi4>, %s: tensor<64x4xf16>) -> tensor<1x64xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      : (tensor<1x256xf32>, tensor<64x256xsi4>, tensor<64x4xf16>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}

// -----

// auto: table lookup for 4-bit and 2-bit weights, int8 dot products for
// 8-bit ones (docs/bench-strategies.md measures them).
// AUTO-LABEL: func.func @rows16
// AUTO: strategy lut packed si4 layout <bits = 4, word = 32, planes = 32>
// AUTO: strategy lut packed si2 layout <bits = 2, word = 32, planes = 32>
// AUTO: strategy int8_dot packed si8 layout <bits = 8, word = 8, aligned, lanes = 32>
func.func @rows16(%x: tensor<16x256xf32>, %q: tensor<64x256xsi4>, %q2: tensor<64x256xsi2>, %q8: tensor<64x256xsi8>, %s: tensor<64x4xf16>) -> (tensor<16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>) {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      : (tensor<16x256xf32>, tensor<64x256xsi4>, tensor<64x4xf16>) -> tensor<16x64xf32>
  %y2 = lowbit.matmul %x, %q2, %s scheme <group = [1, 64], scale = f16> transpose_b
      : (tensor<16x256xf32>, tensor<64x256xsi2>, tensor<64x4xf16>) -> tensor<16x64xf32>
  %y8 = lowbit.matmul %x, %q8, %s scheme <group = [1, 64], scale = f16> transpose_b
      : (tensor<16x256xf32>, tensor<64x256xsi8>, tensor<64x4xf16>) -> tensor<16x64xf32>
  return %y, %y2, %y8 : tensor<16x64xf32>, tensor<16x64xf32>, tensor<16x64xf32>
}

// -----

// A matmul's own strategy is kept when none is requested; a requested one
// overrides it.
// OWN-LABEL: func.func @own_strategy
// OWN: lowbit.matmul {{.*}} transpose_b strategy int8_dot packed ui3 layout <bits = 3, word = 8, aligned, lanes = 32>
// DEQUANT-LABEL: func.func @own_strategy
// DEQUANT: lowbit.matmul {{.*}} transpose_b strategy dequant packed ui3 layout <bits = 3, word = 32, aligned, lanes = 8>
func.func @own_strategy(%x: tensor<2x128xf32>, %q: tensor<8x128xui3>, %s: tensor<8x1xf32>) -> tensor<2x8xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f32> transpose_b strategy int8_dot
      : (tensor<2x128xf32>, tensor<8x128xui3>, tensor<8x1xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// NF4's values are not integers: int8-dot is an error, auto keeps dequant.
// AUTO-LABEL: func.func @nf4
// AUTO-NOT: strategy
// AUTO: layout <bits = 4, word = 32, aligned, lanes = 8>
func.func @nf4(%x: tensor<1x256xf32>, %q: tensor<64x256x!lowbit.codebook<nf4>>, %s: tensor<64x4xf16>) -> tensor<1x64xf32> {
  // expected-error @+1 {{cannot use the int8-dot strategy: the int8-dot strategy needs weight values that are integers after a power-of-two scaling (integer formats, ternary, small floats such as e2m1); nf4 has other values; use the dequant strategy}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      : (tensor<1x256xf32>, tensor<64x256x!lowbit.codebook<nf4>>, tensor<64x4xf16>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}

// -----

// Groups of 16 are shorter than the activation blocks of 32; auto takes
// table lookup, whose tables span 4 activations.
// AUTO-LABEL: func.func @group16
// AUTO: strategy lut packed si4 layout <bits = 4, word = 32, planes = 32>
func.func @group16(%x: tensor<1x256xf32>, %q: tensor<64x256xsi4>, %s: tensor<64x16xf16>) -> tensor<1x64xf32> {
  // expected-error @+1 {{cannot use the int8-dot strategy: the int8-dot strategy quantizes activations in blocks of 32 and needs a group size that is a multiple of it, got 16; use the dequant strategy}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 16], scale = f16> transpose_b
      : (tensor<1x256xf32>, tensor<64x256xsi4>, tensor<64x16xf16>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}
