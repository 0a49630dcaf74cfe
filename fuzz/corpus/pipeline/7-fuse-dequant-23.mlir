func.func @dequantize_rank1(%x: tensor<64xf32>, %q: tensor<64xsi4>, %s: tensor<2xf32>, %c: tensor<f32>) -> tensor<f32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32], scale = f32>
      : (tensor<64xsi4>, tensor<2xf32>) -> tensor<64xf32>
  %y = linalg.dot ins(%x, %w : tensor<64xf32>, tensor<64xf32>) outs(%c : tensor<f32>) -> tensor<f32>
  return %y : tensor<f32>
}
