func.func @contract(%x: tensor<2x4x64xbf16>, %q: tensor<16x64xf4E2M1FN>, %s: tensor<16x4xf8E4M3FN>,
                    %t: tensor<f32>) -> tensor<2x4x16xbf16> {
  %w = lowbit.dequantize %q, %s tensor_scale %t scheme <group = [1, 16], scale = f8E4M3FN, tensor_scale = f32>
      : (tensor<16x64xf4E2M1FN>, tensor<16x4xf8E4M3FN>, tensor<f32>) -> tensor<16x64xbf16>
  %zero = arith.constant 0.0 : bf16
  %e = tensor.empty() : tensor<2x4x16xbf16>
  %f = linalg.fill ins(%zero : bf16) outs(%e : tensor<2x4x16xbf16>) -> tensor<2x4x16xbf16>
  %y = linalg.contract
      indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>,
                       affine_map<(b, m, n, k) -> (n, k)>,
                       affine_map<(b, m, n, k) -> (b, m, n)>]
      ins(%x, %w : tensor<2x4x64xbf16>, tensor<16x64xbf16>)
      outs(%f : tensor<2x4x16xbf16>) -> tensor<2x4x16xbf16>
  return %y : tensor<2x4x16xbf16>
}
