func.func @epilogue_gelu_erf(%x: tensor<4x64xf16>, %q: tensor<64x16xsi4>, %s: tensor<2x16xf16>) -> tensor<4x16xf16> {
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
  ^bb0(%v16: f16, %out: f16):
    %v = arith.extf %v16 : f16 to f32
    %half = arith.constant 0.5 : f32
    %one = arith.constant 1.0 : f32
    %rsqrt2 = arith.constant 0.70710678 : f32
    %scaled = arith.mulf %v, %rsqrt2 : f32
    %erf = math.erf %scaled : f32
    %onee = arith.addf %one, %erf : f32
    %hv = arith.mulf %half, %v : f32
    %gelu = arith.mulf %hv, %onee : f32
    %r = arith.truncf %gelu : f32 to f16
    linalg.yield %r : f16
  } -> tensor<4x16xf16>
  return %g : tensor<4x16xf16>
}
