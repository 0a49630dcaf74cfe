func.func @batch_matmul_per_batch_weights(%x: tensor<2x4x64xf32>, %q: tensor<2x64x16xsi4>, %s: tensor<2x2x16xf32>,
                                          %c: tensor<2x4x16xf32>) -> tensor<2x4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [1, 32, 1], scale = f32>
      : (tensor<2x64x16xsi4>, tensor<2x2x16xf32>) -> tensor<2x64x16xf32>
  %y = linalg.batch_matmul ins(%x, %w : tensor<2x4x64xf32>, tensor<2x64x16xf32>)
      outs(%c : tensor<2x4x16xf32>) -> tensor<2x4x16xf32>
  return %y : tensor<2x4x16xf32>
}
