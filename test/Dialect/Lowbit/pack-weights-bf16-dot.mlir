// RUN: lowbit-opt %s --lowbit-pack-weights="isa=avx512 strategy=bf16-dot" --split-input-file --verify-diagnostics | FileCheck %s

// bf16-dot packs 16-bit words: 32 lanes of 4 codes each, one shift from 32
// consecutive codes in 16-bit lanes; the matmul records its strategy.
// CHECK-LABEL: func.func @int4
// CHECK: lowbit.pack %{{.*}} layout <bits = 4, word = 16, aligned, lanes = 32> : tensor<64x256xsi4> -> tensor<64x64xi16>
// CHECK: lowbit.matmul {{.*}} transpose_b strategy bf16_dot packed si4 layout <bits = 4, word = 16, aligned, lanes = 32>
func.func @int4(%x: tensor<1x256xbf16>, %q: tensor<64x256xsi4>, %s: tensor<64x4xf16>) -> tensor<1x64xbf16> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      : (tensor<1x256xbf16>, tensor<64x256xsi4>, tensor<64x4xf16>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}

// -----

// The strategy multiplies bf16 activations only.
func.func @f32_activations(%x: tensor<1x256xf32>, %q: tensor<64x256xsi4>, %s: tensor<64x4xf16>) -> tensor<1x64xf32> {
  // expected-error @+1 {{cannot use the bf16-dot strategy: the bf16-dot strategy multiplies bf16 activations, not f32; use the dequant strategy}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      : (tensor<1x256xf32>, tensor<64x256xsi4>, tensor<64x4xf16>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}

// -----

// NF4's codebook values are not bf16 values.
func.func @nf4(%x: tensor<1x256xbf16>, %q: tensor<64x256x!lowbit.codebook<nf4>>, %s: tensor<64x4xf16>) -> tensor<1x64xbf16> {
  // expected-error @+1 {{cannot use the bf16-dot strategy: the bf16-dot strategy multiplies weights as bf16 values; nf4's value -0.696192801 (code 1) is not a bf16; use the dequant strategy}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      : (tensor<1x256xbf16>, tensor<64x256x!lowbit.codebook<nf4>>, tensor<64x4xf16>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}

// -----

// Groups must hold whole vectors of 32 weights.
func.func @group16(%x: tensor<1x256xbf16>, %q: tensor<64x256xsi4>, %s: tensor<64x16xf16>) -> tensor<1x64xbf16> {
  // expected-error @+1 {{cannot use the bf16-dot strategy: the avx512 bf16-dot kernel needs a group size that is a multiple of 32, got 16; use the scalar kernel or the dequant strategy}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 16], scale = f16> transpose_b
      : (tensor<1x256xbf16>, tensor<64x256xsi4>, tensor<64x16xf16>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}
