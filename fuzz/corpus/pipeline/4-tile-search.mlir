func.func @matvec(%x: tensor<1x4096xf32>, %q: tensor<11008x4096xsi4>, %s: tensor<11008x32xf16>) -> tensor<1x11008xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b
      : (tensor<1x4096xf32>, tensor<11008x4096xsi4>, tensor<11008x32xf16>) -> tensor<1x11008xf32>
  return %y : tensor<1x11008xf32>
}
func.func @sixteen_rows(%x: tensor<16x4096xf32>, %q: tensor<4096x4096xsi4>, %s: tensor<4096x32xf16>) -> tensor<16x4096xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b
      : (tensor<16x4096xf32>, tensor<4096x4096xsi4>, tensor<4096x32xf16>) -> tensor<16x4096xf32>
  return %y : tensor<16x4096xf32>
}
