func.func @epilogue_bias_residual_scale(%x: tensor<4x64xf32>, %q: tensor<16x64xsi4>, %s: tensor<16x2xf16>,
                                        %b: tensor<16xf32>, %r: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [1, 32], scale = f16>
      : (tensor<16x64xsi4>, tensor<16x2xf16>) -> tensor<16x64xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %h = linalg.matmul
      indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                       affine_map<(m, n, k) -> (n, k)>,
                       affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<4x64xf32>, tensor<16x64xf32>)
      outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
  %hb = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (n)>,
                                         affine_map<(m, n) -> (m, n)>],
                        iterator_types = ["parallel", "parallel"]}
      ins(%h, %b : tensor<4x16xf32>, tensor<16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%v: f32, %bias: f32, %out: f32):
    %sum = arith.addf %v, %bias : f32
    linalg.yield %sum : f32
  } -> tensor<4x16xf32>
  %hr = linalg.add ins(%hb, %r : tensor<4x16xf32>, tensor<4x16xf32>)
      outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
  %scale = arith.constant 0.125 : f32
  %y = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%hr : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%v: f32, %out: f32):
    %scaled = arith.mulf %v, %scale : f32
    linalg.yield %scaled : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
