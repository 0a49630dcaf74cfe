func.func @quantize_e3m0() -> tensor<4x!lowbit.float<e3m0>> {
  %x = arith.constant dense<[0.3, 5.0, 6.0, -100.0]> : tensor<4xf32>
  %s = arith.constant dense<1.0> : tensor<1xbf16>
  %q = lowbit.quantize %x, %s scheme <group = [4], scale = bf16>
      : (tensor<4xf32>, tensor<1xbf16>) -> tensor<4x!lowbit.float<e3m0>>
  return %q : tensor<4x!lowbit.float<e3m0>>
}
