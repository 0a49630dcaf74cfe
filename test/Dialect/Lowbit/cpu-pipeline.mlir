// The example model through the whole CPU pipeline: constant weights are
// quantized and packed at compile time, dequantization fuses into matmuls,
// SiLU into the first matmul's epilogue, and weights are packed in the
// avx2 layout.
// RUN: lowbit-opt %S/../../../examples/mlp.mlir --lowbit-cpu-pipeline="isa=avx2" | FileCheck %s

// CHECK-LABEL: func.func @packed_layer1
// CHECK-NOT: lowbit.quantize
// CHECK-NOT: lowbit.pack
// CHECK: return

// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[X:.*]]: tensor<1x64xf32>, %[[W1:.*]]: tensor<16x8xi32>, %[[S1:.*]]: tensor<16x2xf16>, %[[Z1:.*]]: tensor<16x2xui4>, %[[W2:.*]]: tensor<8x16x!lowbit.codebook<nf4>>, %[[S2:.*]]: tensor<8x1xf32>)
// CHECK: %[[Q1:.*]] = lowbit.unpack %[[W1]] layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7]>
// CHECK: %[[P1:.*]] = lowbit.pack %[[Q1]] layout <bits = 4, word = 32, aligned, lanes = 8>
// CHECK: %[[H:.*]] = lowbit.matmul %[[X]], %[[P1]], %[[S1]] zeros %[[Z1]] scheme <group = [1, 32], scale = f16, zero = int> transpose_b packed ui4 layout <bits = 4, word = 32, aligned, lanes = 8> epilogue {
// CHECK: math.exp
// CHECK: lowbit.yield
// CHECK: %[[P2:.*]] = lowbit.pack %[[W2]] layout <bits = 4, word = 32, aligned, lanes = 8>
// CHECK: lowbit.matmul %[[H]], %[[P2]], %[[S2]] scheme <group = [1, 16], scale = f32> transpose_b packed !lowbit.codebook<nf4> layout <bits = 4, word = 32, aligned, lanes = 8>
// CHECK-NOT: linalg.matmul
