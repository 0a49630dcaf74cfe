func.func @dequantize_float_zero() -> tensor<4xf16> {
  %q = arith.constant dense<[0, 1, 2, 3]> : tensor<4xui2>
  %s = arith.constant dense<2.0> : tensor<1xbf16>
  %z = arith.constant dense<1.0> : tensor<1xbf16>
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [4], scale = bf16, zero = float>
      : (tensor<4xui2>, tensor<1xbf16>, tensor<1xbf16>) -> tensor<4xf16>
  return %w : tensor<4xf16>
}
