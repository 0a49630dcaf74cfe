func.func @quantize_e2m1() -> tensor<4xf4E2M1FN> {
  %x = arith.constant dense<[1.0, 2.5, -7.0, 20.0]> : tensor<4xf32>
  %s = arith.constant dense<2.0> : tensor<1xf32>
  %q = lowbit.quantize %x, %s scheme <group = [4], scale = f32>
      : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf4E2M1FN>
  return %q : tensor<4xf4E2M1FN>
}
