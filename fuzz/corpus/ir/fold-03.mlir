func.func @quantize_groups() -> tensor<4xsi3> {
  %x = arith.constant dense<[1.5, -1.5, 12.0, -12.0]> : tensor<4xf32>
  %s = arith.constant dense<[0.5, 4.0]> : tensor<2xf32>
  %q = lowbit.quantize %x, %s scheme <group = [2], scale = f32>
      : (tensor<4xf32>, tensor<2xf32>) -> tensor<4xsi3>
  return %q : tensor<4xsi3>
}
