// RUN: not lowbit-compile %s --target=cpu --isa=avx2 --strategy=int8-dot -o %t 2>&1 | FileCheck %s

// A layer the asked strategy cannot take is a located error naming why.
// CHECK: strategy-error.mlir:[[@LINE+2]]:{{[0-9]+}}: error: 'lowbit.matmul' op cannot use the int8-dot strategy: {{.*}}nf4
func.func @layer(%x: tensor<1x256xf32>, %q: tensor<64x256x!lowbit.codebook<nf4>>, %s: tensor<64x4xf16>) -> tensor<1x64xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      : (tensor<1x256xf32>, tensor<64x256x!lowbit.codebook<nf4>>, tensor<64x4xf16>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}
