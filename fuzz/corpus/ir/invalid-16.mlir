func.func @epilogue_operand_shape(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>, %r: tensor<4x3xf16>) {
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16> epilogue(%r : tensor<4x3xf16>) {
    ^bb0(%acc: f32, %e: f16):
      %t = arith.truncf %acc : f32 to f16
      lowbit.yield %t : f16
  } : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>, tensor<4x3xf16>) -> tensor<4x8xf16>
  return
}
