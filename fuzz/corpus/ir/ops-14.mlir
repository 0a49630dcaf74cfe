func.func @matmul_asym_fp(%x: tensor<4x64xf16>, %q: tensor<8x64x!lowbit.float<e2m2>>,
                          %s: tensor<8x2xf16>, %sn: tensor<8x2xf16>) -> tensor<4x8xf32> {
  %y = lowbit.matmul %x, %q, %s neg_scales %sn scheme <group = [1, 32], scale = f16, zero = asym_fp> transpose_b
      : (tensor<4x64xf16>, tensor<8x64x!lowbit.float<e2m2>>, tensor<8x2xf16>, tensor<8x2xf16>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
