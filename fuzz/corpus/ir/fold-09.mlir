func.func @dequantize_nf4() -> tensor<3xf32> {
  %q = lowbit.constant dense<[0, 7, 15]> : tensor<3xui8> as tensor<3x!lowbit.codebook<nf4>>
  %s = arith.constant dense<2.0> : tensor<1xf32>
  %w = lowbit.dequantize %q, %s scheme <group = [3], scale = f32>
      : (tensor<3x!lowbit.codebook<nf4>>, tensor<1xf32>) -> tensor<3xf32>
  return %w : tensor<3xf32>
}
