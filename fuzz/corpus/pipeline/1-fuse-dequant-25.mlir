func.func @generic_not_multiply_add(%x: tensor<4x64xf32>, %q: tensor<16x64xsi4>, %s: tensor<16x2xf32>,
                                    %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [1, 32], scale = f32>
      : (tensor<16x64xsi4>, tensor<16x2xf32>) -> tensor<16x64xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                        affine_map<(m, n, k) -> (n, k)>,
                                        affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<4x64xf32>, tensor<16x64xf32>) outs(%c : tensor<4x16xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %m = arith.maximumf %acc, %p : f32
    linalg.yield %m : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}
