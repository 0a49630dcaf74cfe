func.func @unpack_of_pack_other_layout(%q: tensor<4x64xui4>) -> tensor<4x64xui4> {
  %p = lowbit.pack %q layout <bits = 4, word = 32> : tensor<4x64xui4> -> tensor<4x8xi32>
  %u = lowbit.unpack %p layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7]>
      : tensor<4x8xi32> -> tensor<4x64xui4>
  return %u : tensor<4x64xui4>
}
