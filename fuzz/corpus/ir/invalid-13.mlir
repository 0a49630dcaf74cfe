func.func @pack_shape(%q: tensor<8x100xui4>) {
  %p = lowbit.pack %q layout <bits = 4, word = 32> : tensor<8x100xui4> -> tensor<8x12xi32>
  return
}
