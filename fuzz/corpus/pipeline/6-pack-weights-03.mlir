func.func @leave_alone(%x: tensor<1x128xf32>, %q: tensor<128x8xsi4>, %s: tensor<2x8xf16>,
                       %p: tensor<8x16xi32>, %s2: tensor<8x2xf16>) -> (tensor<1x8xf32>, tensor<1x8xf32>) {
  %y = lowbit.matmul %x, %q, %s scheme <group = [64, 1], scale = f16>
      : (tensor<1x128xf32>, tensor<128x8xsi4>, tensor<2x8xf16>) -> tensor<1x8xf32>
  %z = lowbit.matmul %x, %p, %s2 scheme <group = [1, 64], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 4>
      : (tensor<1x128xf32>, tensor<8x16xi32>, tensor<8x2xf16>) -> tensor<1x8xf32>
  return %y, %z : tensor<1x8xf32>, tensor<1x8xf32>
}
