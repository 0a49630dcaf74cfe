// RUN: lowbit-translate --emit-cuda --split-input-file --verify-diagnostics %s
// RUN: lowbit-opt --split-input-file --verify-diagnostics --lowbit-pack-weights="target=cuda strategy=lut" %S/Inputs/lut-pack-errors.mlir
// RUN: not lowbit-opt --lowbit-pack-weights="target=cuda strategy=int8-dot" %S/Inputs/lut-pack-errors.mlir 2>&1 | FileCheck %s --check-prefix=INT8
// RUN: not lowbit-opt --lowbit-pack-weights="target=hip strategy=fastest" %S/Inputs/lut-pack-errors.mlir 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: lowbit-opt --lowbit-pack-weights="target=cuda strategy=auto" %S/Inputs/lut-pack-errors.mlir | FileCheck %s --check-prefix=AUTO
//
// What the GPU emitters and --lowbit-pack-weights refuse about the lut
// strategy, each with a located one-line error.

// INT8: error: 'lowbit.matmul' op cannot use the int8-dot strategy on a GPU: it is a CPU strategy; use dequant or lut
// NAME: error: 'lowbit.matmul' op --lowbit-pack-weights: strategy 'fastest' is not one of dequant, lut, auto
// auto is the tensor-core kernel on GPUs: striped interleaved words, no strategy.
// AUTO-NOT: strategy
// AUTO: layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7], stripe = 4, chunk = 128, piece = 4>

func.func @int8_dot(%x: tensor<1x256xf16>, %p: tensor<64x64xi32>, %s: tensor<64x2xf16>) -> tensor<1x64xf16> {
  // expected-error @+1 {{'lowbit.matmul' op cannot use the int8-dot strategy on a GPU: it is a CPU strategy; use dequant or lut}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 128], scale = f16> transpose_b
      strategy int8_dot packed si8 layout <bits = 8, word = 32, order = [0, 2, 1, 3]>
      : (tensor<1x256xf16>, tensor<64x64xi32>, tensor<64x2xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}

// -----

func.func @lut_group2(%x: tensor<1x256xf16>, %p: tensor<64x16xi32>, %s: tensor<64x2xf16>) -> tensor<1x64xf16> {
  // expected-error @+1 {{'lowbit.matmul' op GPU lut kernels build tables of 4 activations, not 2}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 128], scale = f16> transpose_b
      strategy lut<group = 2, exact = true> packed si2 layout <bits = 2, word = 32, planes = 32>
      : (tensor<1x256xf16>, tensor<64x16xi32>, tensor<64x2xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}

// -----

// Bit planes read by the tensor-core kernel.
func.func @planes_for_dequant(%x: tensor<1x256xf16>, %p: tensor<64x16xi32>, %s: tensor<64x2xf16>) -> tensor<1x64xf16> {
  // expected-error @+1 {{'lowbit.matmul' op weights are packed as #lowbit.layout<bits = 2, word = 32, planes = 32>, not in the GPU layout; run --lowbit-pack-weights="target=cuda"}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 128], scale = f16> transpose_b
      packed si2 layout <bits = 2, word = 32, planes = 32>
      : (tensor<1x256xf16>, tensor<64x16xi32>, tensor<64x2xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}

// -----

// The lut kernel reading the tensor-core kernel's interleaved words.
func.func @words_for_lut(%x: tensor<1x256xf16>, %p: tensor<64x16xi32>, %s: tensor<64x2xf16>) -> tensor<1x64xf16> {
  // expected-error @+1 {{'lowbit.matmul' op weights are packed as #lowbit.layout<bits = 2, word = 32, order = [0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15]>, not in the GPU lut layout; run --lowbit-pack-weights="target=cuda strategy=lut"}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 128], scale = f16> transpose_b
      strategy lut packed si2 layout <bits = 2, word = 32, order = [0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15]>
      : (tensor<1x256xf16>, tensor<64x16xi32>, tensor<64x2xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}

// -----

// Groups of 4 span half a byte of index nibbles.
func.func @lut_group4(%x: tensor<1x256xf16>, %p: tensor<64x16xi32>, %s: tensor<64x64xf16>) -> tensor<1x64xf16> {
  // expected-error @+1 {{'lowbit.matmul' op cannot be emitted for cuda: the lut strategy needs a group size that is a multiple of 8 (a byte of index nibbles spans two tables of 4 activations), got 4; use the dequant strategy}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 4], scale = f16> transpose_b
      strategy lut packed si2 layout <bits = 2, word = 32, planes = 32>
      : (tensor<1x256xf16>, tensor<64x16xi32>, tensor<64x64xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}
