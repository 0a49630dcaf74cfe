func.func @dequantize_ternary() -> tensor<3xf32> {
  %q = lowbit.constant dense<[0, 1, 2]> : tensor<3xui8> as tensor<3x!lowbit.ternary>
  %s = arith.constant dense<0.5> : tensor<1xf32>
  %w = lowbit.dequantize %q, %s scheme <group = [3], scale = f32>
      : (tensor<3x!lowbit.ternary>, tensor<1xf32>) -> tensor<3xf32>
  return %w : tensor<3xf32>
}
