func.func @gpu_widths(%x: tensor<1x256xbf16>, %t: tensor<64x256x!lowbit.ternary>, %u8: tensor<64x256xui8>,
                      %i6: tensor<64x256xsi6>, %e: tensor<64x256xf4E2M1FN>, %s: tensor<64x2xbf16>)
    -> (tensor<1x64xbf16>, tensor<1x64xbf16>, tensor<1x64xbf16>, tensor<1x64xbf16>) {
  %a = lowbit.matmul %x, %t, %s scheme <group = [1, 128], scale = bf16> transpose_b
      : (tensor<1x256xbf16>, tensor<64x256x!lowbit.ternary>, tensor<64x2xbf16>) -> tensor<1x64xbf16>
  %b = lowbit.matmul %x, %u8, %s scheme <group = [1, 128], scale = bf16> transpose_b
      : (tensor<1x256xbf16>, tensor<64x256xui8>, tensor<64x2xbf16>) -> tensor<1x64xbf16>
  %c = lowbit.matmul %x, %i6, %s scheme <group = [1, 128], scale = bf16> transpose_b
      : (tensor<1x256xbf16>, tensor<64x256xsi6>, tensor<64x2xbf16>) -> tensor<1x64xbf16>
  %d = lowbit.matmul %x, %e, %s scheme <group = [1, 128], scale = bf16> transpose_b
      : (tensor<1x256xbf16>, tensor<64x256xf4E2M1FN>, tensor<64x2xbf16>) -> tensor<1x64xbf16>
  return %a, %b, %c, %d : tensor<1x64xbf16>, tensor<1x64xbf16>, tensor<1x64xbf16>, tensor<1x64xbf16>
}
