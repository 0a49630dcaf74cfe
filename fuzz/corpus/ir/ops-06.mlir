func.func @dequantize_mxfp4(%q: tensor<16x64xf4E2M1FN>, %s: tensor<16x2xf8E8M0FNU>) -> tensor<16x64xf16> {
  %w = lowbit.dequantize %q, %s scheme <group = [1, 32], scale = f8E8M0FNU>
      : (tensor<16x64xf4E2M1FN>, tensor<16x2xf8E8M0FNU>) -> tensor<16x64xf16>
  return %w : tensor<16x64xf16>
}
