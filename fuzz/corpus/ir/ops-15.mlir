func.func @matmul_codebook_float_zero(%x: tensor<3x64xf32>, %q: tensor<5x64x!lowbit.codebook<nf4>>,
                                      %s: tensor<5x1xf32>, %z: tensor<5x1xf32>) -> tensor<3x5xf32> {
  %y = lowbit.matmul %x, %q, %s zeros %z scheme <group = [1, 64], scale = f32, zero = float> transpose_b
      : (tensor<3x64xf32>, tensor<5x64x!lowbit.codebook<nf4>>, tensor<5x1xf32>, tensor<5x1xf32>) -> tensor<3x5xf32>
  return %y : tensor<3x5xf32>
}
