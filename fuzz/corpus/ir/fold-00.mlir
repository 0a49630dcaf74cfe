func.func @quantize_uint4_int_zero() -> tensor<1x4xui4> {
  %x = arith.constant dense<[[0.125, 0.375, -1.0, 3.75]]> : tensor<1x4xf32>
  %s = arith.constant dense<0.25> : tensor<1x1xf16>
  %z = arith.constant dense<2> : tensor<1x1xui4>
  %q = lowbit.quantize %x, %s zeros %z scheme <group = [1, 4], scale = f16, zero = int>
      : (tensor<1x4xf32>, tensor<1x1xf16>, tensor<1x1xui4>) -> tensor<1x4xui4>
  return %q : tensor<1x4xui4>
}
