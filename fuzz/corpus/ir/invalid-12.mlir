func.func @quantize_result_type(%x: tensor<8x256xf32>, %s: tensor<8x2xf16>) {
  %q = lowbit.quantize %x, %s scheme <group = [1, 128], scale = f16>
      : (tensor<8x256xf32>, tensor<8x2xf16>) -> tensor<8x256xi16>
  return
}
