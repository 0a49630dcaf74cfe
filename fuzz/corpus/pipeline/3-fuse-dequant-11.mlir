func.func @epilogue_gelu_tanh(%x: tensor<4x64xf16>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf16>) -> tensor<4x16xf16> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f16>
      : (tensor<64x16xsi4>, tensor<2x16xf16>) -> tensor<64x16xf16>
  %zero = arith.constant 0.0 : f16
  %e = tensor.empty() : tensor<4x16xf16>
  %f = linalg.fill ins(%zero : f16) outs(%e : tensor<4x16xf16>) -> tensor<4x16xf16>
  %h = linalg.matmul ins(%x, %w : tensor<4x64xf16>, tensor<64x16xf16>)
      outs(%f : tensor<4x16xf16>) -> tensor<4x16xf16>
  %g = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%h : tensor<4x16xf16>) outs(%e : tensor<4x16xf16>) {
  ^bb0(%v: f16, %out: f16):
    %half = arith.constant 0.5 : f16
    %one = arith.constant 1.0 : f16
    %c = arith.constant 0.044715 : f16
    %k = arith.constant 0.7978846 : f16
    %v2 = arith.mulf %v, %v : f16
    %v3 = arith.mulf %v2, %v : f16
    %cv3 = arith.mulf %c, %v3 : f16
    %inner = arith.addf %v, %cv3 : f16
    %arg = arith.mulf %k, %inner : f16
    %t = math.tanh %arg : f16
    %onet = arith.addf %one, %t : f16
    %hv = arith.mulf %half, %v : f16
    %gelu = arith.mulf %hv, %onet : f16
    linalg.yield %gelu : f16
  } -> tensor<4x16xf16>
  return %g : tensor<4x16xf16>
}
