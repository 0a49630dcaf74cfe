func.func @pack_unpack(%q4: tensor<8x100xui4>, %q3: tensor<8x100xsi3>,
                       %qt: tensor<8x7x!lowbit.ternary>) {
  %p4 = lowbit.pack %q4 layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7]>
      : tensor<8x100xui4> -> tensor<8x13xi32>
  %u4 = lowbit.unpack %p4 layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7]>
      : tensor<8x13xi32> -> tensor<8x100xui4>
  %p3 = lowbit.pack %q3 layout <bits = 3, word = 32> : tensor<8x100xsi3> -> tensor<8x10xi32>
  %pt = lowbit.pack %qt layout <bits = 2, word = 8> : tensor<8x7x!lowbit.ternary> -> tensor<8x2xi8>
  %l3 = lowbit.pack %q3 layout <bits = 3, word = 32, aligned, lanes = 16> : tensor<8x100xsi3> -> tensor<8x16xi32>
  %a3 = lowbit.pack %q3 layout <bits = 3, word = 8, aligned, order = [1, 0]> : tensor<8x100xsi3> -> tensor<8x50xi8>
  %w64 = arith.constant dense<0> : tensor<8x5xi64>
  %u3 = lowbit.unpack %w64 layout <bits = 3, word = 64> : tensor<8x5xi64> -> tensor<8x100xsi3>
  return
}
