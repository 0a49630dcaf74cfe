func.func @narrowing_activations(%x: tensor<4x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf16>,
                                 %c: tensor<4x16xf16>) -> tensor<4x16xf16> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f16>
      : (tensor<64x16xsi4>, tensor<2x16xf16>) -> tensor<64x16xf16>
  %y = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x16xf16>)
      outs(%c : tensor<4x16xf16>) -> tensor<4x16xf16>
  return %y : tensor<4x16xf16>
}
