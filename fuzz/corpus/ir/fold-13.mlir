func.func @pack_straddling() -> tensor<2xi8> {
  %q = arith.constant dense<[1, -1, 2]> : tensor<3xsi3>
  %p = lowbit.pack %q layout <bits = 3, word = 8> : tensor<3xsi3> -> tensor<2xi8>
  return %p : tensor<2xi8>
}
