// RUN: lowbit-opt %s --lowbit-pack-weights="isa=avx2" --split-input-file | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: lowbit-opt %s --lowbit-pack-weights="isa=avx512" --split-input-file | FileCheck %s --check-prefixes=CHECK,AVX512

// Weights that are function arguments are packed by lowbit.pack.
// CHECK-LABEL: func.func @pack_argument
// CHECK-SAME: (%[[X:.*]]: tensor<1x256xf32>, %[[Q:.*]]: tensor<64x256xsi4>, %[[S:.*]]: tensor<64x4xf16>)
// AVX2: %[[P:.*]] = lowbit.pack %[[Q]] layout <bits = 4, word = 32, aligned, lanes = 8> : tensor<64x256xsi4> -> tensor<64x32xi32>
// AVX512: %[[P:.*]] = lowbit.pack %[[Q]] layout <bits = 4, word = 32, aligned, lanes = 16> : tensor<64x256xsi4> -> tensor<64x32xi32>
// AVX2: lowbit.matmul %[[X]], %[[P]], %[[S]] scheme <group = [1, 64], scale = f16> transpose_b packed si4 layout <bits = 4, word = 32, aligned, lanes = 8> : (tensor<1x256xf32>, tensor<64x32xi32>, tensor<64x4xf16>) -> tensor<1x64xf32>
// AVX512: lowbit.matmul %[[X]], %[[P]], %[[S]] scheme <group = [1, 64], scale = f16> transpose_b packed si4 layout <bits = 4, word = 32, aligned, lanes = 16>
func.func @pack_argument(%x: tensor<1x256xf32>, %q: tensor<64x256xsi4>, %s: tensor<64x4xf16>) -> tensor<1x64xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      : (tensor<1x256xf32>, tensor<64x256xsi4>, tensor<64x4xf16>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}

// -----

// Constant weights are packed at compile time: 3-bit codes, 10 per word.
// Row 0 holds codes 1 (element 0) and 2 (element 8): word 0 = 1, word 1 = 0,
// ... for avx2's 8 lanes element 8 is word 0 at position 1: 1 | 2 << 3 = 17.
// CHECK-LABEL: func.func @pack_constant
// CHECK-NOT: lowbit.pack
// AVX2: %[[P:.*]] = arith.constant dense<{{\[\[}}17, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]]> : tensor<2x8xi32>
// AVX2: lowbit.matmul %{{.*}}, %[[P]], %{{.*}} scheme <group = [1, 16], scale = f32> transpose_b packed ui3 layout <bits = 3, word = 32, aligned, lanes = 8>
func.func @pack_constant(%x: tensor<3x16xf32>, %s: tensor<2x1xf32>) -> tensor<3x2xf32> {
  %q = arith.constant dense<[[1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0],
                             [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]> : tensor<2x16xui3>
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 16], scale = f32> transpose_b
      : (tensor<3x16xf32>, tensor<2x16xui3>, tensor<2x1xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Dialect element types pack too; the epilogue and other operands stay.
// CHECK-LABEL: func.func @pack_nf4_epilogue
// CHECK: lowbit.pack %{{.*}} layout <bits = 4, word = 32, aligned
// CHECK: lowbit.matmul {{.*}} transpose_b packed !lowbit.codebook<nf4> layout <bits = 4, word = 32, aligned, lanes = {{8|16}}> epilogue(%{{.*}} : tensor<32xf32>)
// CHECK: arith.addf
// CHECK: lowbit.yield
func.func @pack_nf4_epilogue(%x: tensor<1x64xf32>, %q: tensor<32x64x!lowbit.codebook<nf4>>,
                             %s: tensor<32x1xf32>, %b: tensor<32xf32>) -> tensor<1x32xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f32> transpose_b
      epilogue(%b : tensor<32xf32>) {
  ^bb0(%acc: f32, %bias: f32):
    %v = arith.addf %acc, %bias : f32
    lowbit.yield %v : f32
  } : (tensor<1x64xf32>, tensor<32x64x!lowbit.codebook<nf4>>, tensor<32x1xf32>, tensor<32xf32>) -> tensor<1x32xf32>
  return %y : tensor<1x32xf32>
}

// -----

// Weights stored [K, N] and weights already packed are left alone.
// CHECK-LABEL: func.func @leave_alone
// CHECK-NOT: lowbit.pack
// CHECK: lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} scheme <group = [64, 1], scale = f16> :
// CHECK: lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} scheme <group = [1, 64], scale = f16> transpose_b packed si4 layout <bits = 4, word = 32, aligned, lanes = 4>
func.func @leave_alone(%x: tensor<1x128xf32>, %q: tensor<128x8xsi4>, %s: tensor<2x8xf16>,
                       %p: tensor<8x16xi32>, %s2: tensor<8x2xf16>) -> (tensor<1x8xf32>, tensor<1x8xf32>) {
  %y = lowbit.matmul %x, %q, %s scheme <group = [64, 1], scale = f16>
      : (tensor<1x128xf32>, tensor<128x8xsi4>, tensor<2x8xf16>) -> tensor<1x8xf32>
  %z = lowbit.matmul %x, %p, %s2 scheme <group = [1, 64], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 4>
      : (tensor<1x128xf32>, tensor<8x16xi32>, tensor<8x2xf16>) -> tensor<1x8xf32>
  return %y, %z : tensor<1x8xf32>, tensor<1x8xf32>
}
