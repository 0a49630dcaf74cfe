func.func @matmul_widening_dynamic_rows(%x: tensor<?x64xf16>, %q: tensor<16x64xsi4>, %s: tensor<16x2xf16>,
                                        %sn: tensor<16x2xf16>) -> tensor<?x16xf32> {
  %w = lowbit.dequantize %q, %s neg_scales %sn scheme <group = [1, 32], scale = f16, zero = asym_fp>
      : (tensor<16x64xsi4>, tensor<16x2xf16>, tensor<16x2xf16>) -> tensor<16x64xf16>
  %c0 = arith.constant 0 : index
  %m = tensor.dim %x, %c0 : tensor<?x64xf16>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty(%m) : tensor<?x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<?x16xf32>) -> tensor<?x16xf32>
  %y = linalg.matmul
      indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                       affine_map<(m, n, k) -> (n, k)>,
                       affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<?x64xf16>, tensor<16x64xf16>)
      outs(%f : tensor<?x16xf32>) -> tensor<?x16xf32>
  return %y : tensor<?x16xf32>
}
