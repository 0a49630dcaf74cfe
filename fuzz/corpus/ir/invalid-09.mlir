func.func @int_zeros_type(%q: tensor<8x256xui4>, %s: tensor<8x2xf16>, %z: tensor<8x2xf32>) {
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [1, 128], scale = f16, zero = int>
      : (tensor<8x256xui4>, tensor<8x2xf16>, tensor<8x2xf32>) -> tensor<8x256xf32>
  return
}
