func.func @batch_matmul_shared_weights(%x: tensor<2x4x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf32>) -> tensor<2x4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f32>
      : (tensor<64x16xsi4>, tensor<2x16xf32>) -> tensor<64x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  %y = linalg.batch_matmul
      indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>,
                       affine_map<(b, m, n, k) -> (k, n)>,
                       affine_map<(b, m, n, k) -> (b, m, n)>]
      ins(%x, %w : tensor<2x4x64xf32>, tensor<64x16xf32>)
      outs(%f : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  return %y : tensor<2x4x16xf32>
}
