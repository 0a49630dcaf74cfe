func.func @neg_scales_missing(%q: tensor<8x256xsi4>, %s: tensor<8x2xf16>) {
  %w = lowbit.dequantize %q, %s scheme <group = [1, 128], scale = f16, zero = asym_fp>
      : (tensor<8x256xsi4>, tensor<8x2xf16>) -> tensor<8x256xf32>
  return
}
