func.func @epilogue_matvec(%x: tensor<64xf16>, %q: tensor<16x64xui4>, %s: tensor<16x2xf16>,
                           %z: tensor<16x2xui4>, %b: tensor<16xf16>) -> tensor<16xf16> {
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [1, 32], scale = f16, zero = int>
      : (tensor<16x64xui4>, tensor<16x2xf16>, tensor<16x2xui4>) -> tensor<16x64xf16>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<16xf32>) -> tensor<16xf32>
  %y = linalg.matvec ins(%w, %x : tensor<16x64xf16>, tensor<64xf16>)
      outs(%f : tensor<16xf32>) -> tensor<16xf32>
  %e16 = tensor.empty() : tensor<16xf16>
  %a = linalg.generic {indexing_maps = [affine_map<(n) -> (n)>, affine_map<(n) -> (n)>, affine_map<(n) -> (n)>],
                       iterator_types = ["parallel"]}
      ins(%y, %b : tensor<16xf32>, tensor<16xf16>) outs(%e16 : tensor<16xf16>) {
  ^bb0(%v: f32, %bias: f16, %out: f16):
    %t = arith.truncf %v : f32 to f16
    %sum = arith.addf %t, %bias : f16
    linalg.yield %sum : f16
  } -> tensor<16xf16>
  return %a : tensor<16xf16>
}
