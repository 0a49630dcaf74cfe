func.func @epilogue_after_residual_init(%x: tensor<2x4x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf32>,
                                        %r: tensor<2x4x16xf32>) -> tensor<2x4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f32>
      : (tensor<64x16xsi4>, tensor<2x16xf32>) -> tensor<64x16xf32>
  %y = linalg.batch_matmul
      indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>,
                       affine_map<(b, m, n, k) -> (k, n)>,
                       affine_map<(b, m, n, k) -> (b, m, n)>]
      ins(%x, %w : tensor<2x4x64xf32>, tensor<64x16xf32>)
      outs(%r : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  %e = tensor.empty() : tensor<2x4x16xf32>
  %a = linalg.elementwise kind=#linalg.elementwise_kind<exp>
      ins(%y : tensor<2x4x16xf32>) outs(%e : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  return %a : tensor<2x4x16xf32>
}
