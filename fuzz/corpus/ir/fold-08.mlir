func.func @dequantize_mxfp4() -> tensor<2xf32> {
  %q = arith.constant dense<[6.0, 1.5]> : tensor<2xf4E2M1FN>
  %s = arith.constant dense<0.125> : tensor<1xf8E8M0FNU>
  %w = lowbit.dequantize %q, %s scheme <group = [2], scale = f8E8M0FNU>
      : (tensor<2xf4E2M1FN>, tensor<1xf8E8M0FNU>) -> tensor<2xf32>
  return %w : tensor<2xf32>
}
