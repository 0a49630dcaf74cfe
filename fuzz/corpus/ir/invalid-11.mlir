func.func @tensor_scale_missing(%q: tensor<8x64xf4E2M1FN>, %s: tensor<8x4xf8E4M3FN>) {
  %w = lowbit.dequantize %q, %s scheme <group = [1, 16], scale = f8E4M3FN, tensor_scale = f32>
      : (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>) -> tensor<8x64xf32>
  return
}
