func.func @unpack_constants() -> (tensor<1x8xui4>, tensor<4x!lowbit.ternary>) {
  %w = arith.constant dense<[[-2042464975]]> : tensor<1x1xi32>
  %q = lowbit.unpack %w layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7]>
      : tensor<1x1xi32> -> tensor<1x8xui4>
  %b = arith.constant dense<[-122]> : tensor<1xi8>
  %t = lowbit.unpack %b layout <bits = 2, word = 8> : tensor<1xi8> -> tensor<4x!lowbit.ternary>
  return %q, %t : tensor<1x8xui4>, tensor<4x!lowbit.ternary>
}
