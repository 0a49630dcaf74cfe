// RUN: lowbit-opt %s --lowbit-lower-lut="isa=avx2" --split-input-file | FileCheck %s
// RUN: lowbit-opt %s --lowbit-lower-lut="isa=avx2" --split-input-file | lowbit-opt --split-input-file | FileCheck %s
// RUN: lowbit-opt %s --lowbit-lower-lut="isa=avx2" --lowbit-pack-weights="isa=avx2" --split-input-file | FileCheck %s --check-prefix=THEN-PACK

// Integer weights become bit planes (2 planes of one bit per code, 32 rows
// per tile: 2 * 14336 / 32 words per row on average) and the matmul takes
// the lut strategy.
// CHECK-LABEL: func.func @int2
// CHECK: %[[P:.*]] = lowbit.pack %{{.*}} layout <bits = 2, word = 32, planes = 32> : tensor<4096x14336xsi2> -> tensor<4096x896xi32>
// CHECK: lowbit.matmul %{{.*}}, %[[P]], %{{.*}} scheme <group = [1, 64], scale = f16> transpose_b strategy lut packed si2 layout <bits = 2, word = 32, planes = 32>
func.func @int2(%x: tensor<1x14336xf32>, %q: tensor<4096x14336xsi2>, %s: tensor<4096x224xf16>) -> tensor<1x4096xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      : (tensor<1x14336xf32>, tensor<4096x14336xsi2>, tensor<4096x224xf16>) -> tensor<1x4096xf32>
  return %y : tensor<1x4096xf32>
}

// -----

// Constant weights are packed at compile time. The tile has the 2 rows;
// byte (c * bits + i) * 2 + r holds plane i of elements 8c..8c+7 of row r.
// Row 0 holds codes 1, 2, 3 (elements 0, 1, 2): plane 0 = 0b101 = 5 in
// byte 0, plane 1 = 0b110 = 6 in byte 2. Row 1 holds code 3 at element 8
// (column 1): bytes 5 and 7 hold 1. Word 0 = 5 | 6 << 16 = 393221, word 1
// = 1 << 8 | 1 << 24 = 16777472, and the padding to 32 elements is zero.
// CHECK-LABEL: func.func @constant
// CHECK-NOT: lowbit.pack
// CHECK: arith.constant dense<{{\[\[}}393221, 16777472], [0, 0]]> : tensor<2x2xi32>
// CHECK: strategy lut packed ui2 layout <bits = 2, word = 32, planes = 32>
func.func @constant(%x: tensor<1x16xf32>, %s: tensor<2x2xf32>) -> tensor<1x2xf32> {
  %q = arith.constant dense<[[1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                             [0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]]> : tensor<2x16xui2>
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 8], scale = f32> transpose_b
      : (tensor<1x16xf32>, tensor<2x16xui2>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// -----

// Float codes and codebooks are not for table lookup: left alone, for
// --lowbit-pack-weights.
// CHECK-LABEL: func.func @nf4
// CHECK-NOT: strategy
// CHECK: lowbit.matmul %{{.*}} transpose_b : (
// THEN-PACK-LABEL: func.func @nf4
// THEN-PACK: transpose_b packed !lowbit.codebook<nf4> layout <bits = 4, word = 32, aligned, lanes = 8>
func.func @nf4(%x: tensor<1x256xf32>, %q: tensor<64x256x!lowbit.codebook<nf4>>, %s: tensor<64x4xf16>) -> tensor<1x64xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      : (tensor<1x256xf32>, tensor<64x256x!lowbit.codebook<nf4>>, tensor<64x4xf16>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}
