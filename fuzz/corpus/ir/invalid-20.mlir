func.func @packed_words_per_row(%x: tensor<1x64xf32>, %p: tensor<8x9xi32>, %s: tensor<8x1xf32>) {
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f32> transpose_b packed si4 layout <bits = 4, word = 32>
      : (tensor<1x64xf32>, tensor<8x9xi32>, tensor<8x1xf32>) -> tensor<1x8xf32>
  return
}
