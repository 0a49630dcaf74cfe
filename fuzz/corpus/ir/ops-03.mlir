func.func @quantize_int4_int_zero(%x: tensor<8x256xf32>, %s: tensor<8x2xf16>,
                                  %z: tensor<8x2xui4>) -> tensor<8x256xf32> {
  %q = lowbit.quantize %x, %s zeros %z scheme <group = [1, 128], scale = f16, zero = int>
      : (tensor<8x256xf32>, tensor<8x2xf16>, tensor<8x2xui4>) -> tensor<8x256xui4>
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [1, 128], scale = f16, zero = int>
      : (tensor<8x256xui4>, tensor<8x2xf16>, tensor<8x2xui4>) -> tensor<8x256xf32>
  return %w : tensor<8x256xf32>
}
