func.func @round_trip() -> tensor<3xf32> {
  %x = arith.constant dense<[0.3, -2.2, 9.0]> : tensor<3xf32>
  %s = arith.constant dense<0.5> : tensor<1xf32>
  %q = lowbit.quantize %x, %s scheme <group = [3], scale = f32>
      : (tensor<3xf32>, tensor<1xf32>) -> tensor<3xi4>
  %w = lowbit.dequantize %q, %s scheme <group = [3], scale = f32>
      : (tensor<3xi4>, tensor<1xf32>) -> tensor<3xf32>
  return %w : tensor<3xf32>
}
