func.func @dequantize_float_zero_bf16(%q: tensor<4x128xsi3>, %s: tensor<4x2xbf16>,
                                      %z: tensor<4x2xbf16>) -> tensor<4x128xbf16> {
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [1, 64], scale = bf16, zero = float>
      : (tensor<4x128xsi3>, tensor<4x2xbf16>, tensor<4x2xbf16>) -> tensor<4x128xbf16>
  return %w : tensor<4x128xbf16>
}
