func.func @pack_lanes_aligned() -> (tensor<1x2xi32>, tensor<2xi8>) {
  %q = arith.constant dense<[[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]]> : tensor<1x16xui4>
  %p = lowbit.pack %q layout <bits = 4, word = 32, aligned, lanes = 2> : tensor<1x16xui4> -> tensor<1x2xi32>
  %q3 = arith.constant dense<[-3, 3, -1]> : tensor<3xsi3>
  %p3 = lowbit.pack %q3 layout <bits = 3, word = 8, aligned> : tensor<3xsi3> -> tensor<2xi8>
  return %p, %p3 : tensor<1x2xi32>, tensor<2xi8>
}
