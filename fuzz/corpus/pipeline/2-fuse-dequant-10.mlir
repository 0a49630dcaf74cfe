func.func @epilogue_silu(%x: tensor<4x64xf32>, %q: tensor<16x64xsi4>, %s: tensor<16x2xf16>) -> tensor<4x16xf32> {
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
  %a = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
  ^bb0(%v: f32, %out: f32):
    %neg = arith.negf %v : f32
    %exp = math.exp %neg : f32
    %one = arith.constant 1.0 : f32
    %den = arith.addf %one, %exp : f32
    %silu = arith.divf %v, %den : f32
    linalg.yield %silu : f32
  } -> tensor<4x16xf32>
  return %a : tensor<4x16xf32>
}
