func.func @dequantize_nvfp4() -> tensor<2xf32> {
  %q = arith.constant dense<[6.0, -0.5]> : tensor<2xf4E2M1FN>
  %s = arith.constant dense<1.5> : tensor<1xf8E4M3FN>
  %t = arith.constant dense<4.0> : tensor<f32>
  %w = lowbit.dequantize %q, %s tensor_scale %t scheme <group = [2], scale = f8E4M3FN, tensor_scale = f32>
      : (tensor<2xf4E2M1FN>, tensor<1xf8E4M3FN>, tensor<f32>) -> tensor<2xf32>
  return %w : tensor<2xf32>
}
