func.func @dequantize_asym_fp(%q: tensor<2x64x!lowbit.float<e2m2>>, %s: tensor<2x2xf32>,
                              %sn: tensor<2x2xf32>) -> tensor<2x64xf32> {
  %w = lowbit.dequantize %q, %s neg_scales %sn scheme <group = [1, 32], scale = f32, zero = asym_fp>
      : (tensor<2x64x!lowbit.float<e2m2>>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x64xf32>
  return %w : tensor<2x64xf32>
}
