func.func @narrowing_weights(%x: tensor<4x64xf16>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf16>,
                             %c: tensor<4x16xf16>) -> tensor<4x16xf16> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f16>
      : (tensor<64x16xsi4>, tensor<2x16xf16>) -> tensor<64x16xf32>
  %y = linalg.matmul ins(%x, %w : tensor<4x64xf16>, tensor<64x16xf32>)
      outs(%c : tensor<4x16xf16>) -> tensor<4x16xf16>
  return %y : tensor<4x16xf16>
}
