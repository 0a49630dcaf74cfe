func.func @dequantize_asym_fp() -> tensor<4xf32> {
  %q = arith.constant dense<[-8, -1, 0, 7]> : tensor<4xsi4>
  %s = arith.constant dense<0.5> : tensor<1xf32>
  %sn = arith.constant dense<0.25> : tensor<1xf32>
  %w = lowbit.dequantize %q, %s neg_scales %sn scheme <group = [4], scale = f32, zero = asym_fp>
      : (tensor<4xsi4>, tensor<1xf32>, tensor<1xf32>) -> tensor<4xf32>
  return %w : tensor<4xf32>
}
