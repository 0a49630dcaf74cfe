func.func @matmul_nk_gptq(%x: tensor<4x64xf16>, %q: tensor<16x64xui4>, %s: tensor<16x2xf16>,
                          %z: tensor<16x2xui4>) -> tensor<4x16xf16> {
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [1, 32], scale = f16, zero = int>
      : (tensor<16x64xui4>, tensor<16x2xf16>, tensor<16x2xui4>) -> tensor<16x64xf16>
  %zero = arith.constant 0.0 : f16
  %e = tensor.empty() : tensor<4x16xf16>
  %f = linalg.fill ins(%zero : f16) outs(%e : tensor<4x16xf16>) -> tensor<4x16xf16>
  %y = linalg.matmul
      indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                       affine_map<(m, n, k) -> (n, k)>,
                       affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<4x64xf16>, tensor<16x64xf16>)
      outs(%f : tensor<4x16xf16>) -> tensor<4x16xf16>
  return %y : tensor<4x16xf16>
}
