func.func @pack_constant(%x: tensor<3x16xf32>, %s: tensor<2x1xf32>) -> tensor<3x2xf32> {
  %q = arith.constant dense<[[1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0],
                             [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]> : tensor<2x16xui3>
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 16], scale = f32> transpose_b
      : (tensor<3x16xf32>, tensor<2x16xui3>, tensor<2x1xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
