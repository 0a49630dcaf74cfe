func.func @consumer_column_broadcast(%x: tensor<4x64xf32>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf32>,
                                     %rowscale: tensor<4xf32>) -> tensor<4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f32>
      : (tensor<64x16xsi4>, tensor<2x16xf32>) -> tensor<64x16xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul ins(%x, %w : tensor<4x64xf32>, tensor<64x16xf32>)
      outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m)>,
                                        affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%h, %rowscale : tensor<4x16xf32>, tensor<4xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%v: f32, %r: f32, %out: f32):
    %p = arith.mulf %v, %r : f32
    linalg.yield %p : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
