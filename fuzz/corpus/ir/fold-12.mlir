func.func @pack_nibbles() -> (tensor<1x1xi32>, tensor<1x1xi32>) {
  %q = arith.constant dense<[[1, 2, 3, 4, 5, 6, 7, 8]]> : tensor<1x8xui4>
  %plain = lowbit.pack %q layout <bits = 4, word = 32> : tensor<1x8xui4> -> tensor<1x1xi32>
  %inter = lowbit.pack %q layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7]>
      : tensor<1x8xui4> -> tensor<1x1xi32>
  return %plain, %inter : tensor<1x1xi32>, tensor<1x1xi32>
}
