// RUN: not lowbit-compile %s --target=cuda -o %t 2>&1 | FileCheck %s

// GPU kernel libraries' manifest and packers describe the tensor-core
// kernels' layouts only: a matmul asking for the GPU lut kernel is a located
// error, not a library with bit-plane weights the manifest misdescribes.
// CHECK: strategy-error-gpu.mlir:[[@LINE+3]]:{{[0-9]+}}: error: 'lowbit.matmul' op has strategy lut; GPU kernel libraries take dequant kernels only (run lowbit-bench or lowbit-translate --emit-cuda/--emit-hip for lut kernels)
func.func @layer(%x: tensor<1x256xf16>, %s: tensor<64x4xf16>) -> tensor<1x64xf16> {
  %q = arith.constant dense<1> : tensor<64x256xsi2>
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b strategy lut
      : (tensor<1x256xf16>, tensor<64x256xsi2>, tensor<64x4xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}
