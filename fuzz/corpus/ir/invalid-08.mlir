func.func @scales_shape(%q: tensor<8x256xui4>, %s: tensor<8x4xf16>) {
  %w = lowbit.dequantize %q, %s scheme <group = [1, 128], scale = f16>
      : (tensor<8x256xui4>, tensor<8x4xf16>) -> tensor<8x256xf32>
  return
}
