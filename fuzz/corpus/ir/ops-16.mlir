func.func @matmul_epilogue_bias_silu_residual(%x: tensor<4x64xf16>, %q: tensor<8x64xsi4>, %s: tensor<8x2xf16>,
                                              %b: tensor<8xf16>, %r: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 32], scale = f16> transpose_b
      epilogue(%b, %r : tensor<8xf16>, tensor<4x8xf16>) {
    ^bb0(%acc: f32, %bias: f16, %res: f16):
      %bw = arith.extf %bias : f16 to f32
      %h = arith.addf %acc, %bw : f32
      %neg = arith.negf %h : f32
      %exp = math.exp %neg : f32
      %one = arith.constant 1.0 : f32
      %den = arith.addf %one, %exp : f32
      %silu = arith.divf %h, %den : f32
      %t = arith.truncf %silu : f32 to f16
      %sum = arith.addf %t, %res : f16
      lowbit.yield %sum : f16
  } : (tensor<4x64xf16>, tensor<8x64xsi4>, tensor<8x2xf16>, tensor<8xf16>, tensor<4x8xf16>) -> tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}
