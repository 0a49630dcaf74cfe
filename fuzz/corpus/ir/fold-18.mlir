func.func @no_fold_dynamic_scale(%s: tensor<1xf32>) -> tensor<3xi4> {
  %x = arith.constant dense<[0.3, -2.2, 9.0]> : tensor<3xf32>
  %q = lowbit.quantize %x, %s scheme <group = [3], scale = f32>
      : (tensor<3xf32>, tensor<1xf32>) -> tensor<3xi4>
  return %q : tensor<3xi4>
}
