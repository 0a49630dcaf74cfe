// RUN: not lowbit-compile %s --target=cpu --isa=avx2 -o %t 2>&1 | FileCheck %s

// The kernel library describes dequant kernels only: a matmul that asks
// for another strategy is a located error, not a library with the wrong
// weight layout.
// CHECK: strategy-error.mlir:[[@LINE+3]]:{{[0-9]+}}: error: 'lowbit.matmul' op has strategy int8-dot; the kernel library takes dequant kernels only (run lowbit-bench or lowbit-translate --emit-cpu for int8-dot kernels)
func.func @layer(%x: tensor<1x256xf32>, %s: tensor<64x4xf16>) -> tensor<1x64xf32> {
  %q = arith.constant dense<1> : tensor<64x256xsi4>
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b strategy int8_dot
      : (tensor<1x256xf32>, tensor<64x256xsi4>, tensor<64x4xf16>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}
