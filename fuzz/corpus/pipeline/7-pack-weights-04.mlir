func.func @gpu_argument(%x: tensor<4x256xf16>, %q: tensor<64x256xsi4>, %s: tensor<64x2xf16>) -> tensor<4x64xf16> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b
      : (tensor<4x256xf16>, tensor<64x256xsi4>, tensor<64x2xf16>) -> tensor<4x64xf16>
  return %y : tensor<4x64xf16>
}
