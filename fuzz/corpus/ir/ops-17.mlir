func.func @matmul_epilogue_no_operands(%x: tensor<1x256xbf16>, %q: tensor<256x512xsi2>,
                                       %s: tensor<4x512xbf16>, %b: tensor<512xf32>)
    -> (tensor<1x512xf32>, tensor<1x512xbf16>) {
  %y = lowbit.matmul %x, %q, %s bias %b scheme <group = [64, 1], scale = bf16> acc(f16) epilogue {
    ^bb0(%acc: f16):
      %half = arith.constant 0.5 : f16
      %scaled = arith.mulf %acc, %half : f16
      %wide = arith.extf %scaled : f16 to f32
      lowbit.yield %wide : f32
  } : (tensor<1x256xbf16>, tensor<256x512xsi2>, tensor<4x512xbf16>, tensor<512xf32>) -> tensor<1x512xf32>
  %z = lowbit.matmul %x, %q, %s scheme <group = [64, 1], scale = bf16> epilogue() {
    ^bb0(%acc: f32):
      %r = arith.truncf %acc : f32 to bf16
      lowbit.yield %r : bf16
  } : (tensor<1x256xbf16>, tensor<256x512xsi2>, tensor<4x512xbf16>) -> tensor<1x512xbf16>
  return %y, %z : tensor<1x512xf32>, tensor<1x512xbf16>
}
