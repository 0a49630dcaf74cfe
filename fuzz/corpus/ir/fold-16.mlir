func.func @unpack_of_pack(%q: tensor<4x100xsi3>) -> tensor<4x100xsi3> {
  %p = lowbit.pack %q layout <bits = 3, word = 32> : tensor<4x100xsi3> -> tensor<4x10xi32>
  %u = lowbit.unpack %p layout <bits = 3, word = 32> : tensor<4x10xi32> -> tensor<4x100xsi3>
  return %u : tensor<4x100xsi3>
}
