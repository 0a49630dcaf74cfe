func.func @dequantize_int_zero() -> tensor<3xf32> {
  %q = arith.constant dense<[0, 7, 15]> : tensor<3xui4>
  %s = arith.constant dense<0.5> : tensor<1xf16>
  %z = arith.constant dense<8> : tensor<1xui8>
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [3], scale = f16, zero = int>
      : (tensor<3xui4>, tensor<1xf16>, tensor<1xui8>) -> tensor<3xf32>
  return %w : tensor<3xf32>
}
