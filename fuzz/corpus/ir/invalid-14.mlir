func.func @matmul_result_rank(%x: tensor<4x64xf16>, %q: tensor<8x64xsi4>, %s: tensor<8x2xf16>) {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 32], scale = f16> transpose_b
      : (tensor<4x64xf16>, tensor<8x64xsi4>, tensor<8x2xf16>) -> tensor<1x4x8xf16>
  return
}
