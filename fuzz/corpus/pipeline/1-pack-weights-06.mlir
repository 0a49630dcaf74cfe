func.func @gpu_constant_stream(%x: tensor<1x32xf16>, %s: tensor<1x1xf16>) -> tensor<1x1xf16> {
  %q = arith.constant dense<[[1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0,
                              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5]]> : tensor<1x32xui3>
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 32], scale = f16> transpose_b
      : (tensor<1x32xf16>, tensor<1x32xui3>, tensor<1x1xf16>) -> tensor<1x1xf16>
  return %y : tensor<1x1xf16>
}
