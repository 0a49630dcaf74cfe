func.func @matmul_kn_bias_acc(%x: tensor<1x256xbf16>, %q: tensor<256x512xsi2>,
                              %s: tensor<4x512xbf16>, %b: tensor<512xbf16>) -> tensor<1x512xbf16> {
  %y = lowbit.matmul %x, %q, %s bias %b scheme <group = [64, 1], scale = bf16> acc(f16)
      : (tensor<1x256xbf16>, tensor<256x512xsi2>, tensor<4x512xbf16>, tensor<512xbf16>) -> tensor<1x512xbf16>
  return %y : tensor<1x512xbf16>
}
