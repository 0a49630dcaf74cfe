func.func @matmul_packed(%x: tensor<2x320xbf16>, %p: tensor<37x32xi32>, %s: tensor<37x5xbf16>,
                         %z: tensor<37x5xui3>) -> tensor<2x37xbf16> {
  %y = lowbit.matmul %x, %p, %s zeros %z scheme <group = [1, 64], scale = bf16, zero = int> transpose_b
      packed ui3 layout <bits = 3, word = 32, aligned, lanes = 16>
      : (tensor<2x320xbf16>, tensor<37x32xi32>, tensor<37x5xbf16>, tensor<37x5xui3>) -> tensor<2x37xbf16>
  return %y : tensor<2x37xbf16>
}
