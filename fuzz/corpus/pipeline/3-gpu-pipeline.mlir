func.func @layer(%x: tensor<4x256xf16>, %q: tensor<64x256xui4>, %s: tensor<64x2xf16>, %z: tensor<64x2xi32>) -> tensor<4x64xf16> {
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [1, 128], scale = f16, zero = int>
      : (tensor<64x256xui4>, tensor<64x2xf16>, tensor<64x2xi32>) -> tensor<64x256xf16>
  %zero = arith.constant 0.0 : f16
  %e = tensor.empty() : tensor<4x64xf16>
  %f = linalg.fill ins(%zero : f16) outs(%e : tensor<4x64xf16>) -> tensor<4x64xf16>
  %y = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : tensor<4x256xf16>, tensor<64x256xf16>) outs(%f : tensor<4x64xf16>) -> tensor<4x64xf16>
  %e2 = tensor.empty() : tensor<4x64xf16>
  %act = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
                         iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<4x64xf16>) outs(%e2 : tensor<4x64xf16>) {
  ^bb0(%v: f16, %out: f16):
    %vf = arith.extf %v : f16 to f32
    %neg = arith.negf %vf : f32
    %exp = math.exp %neg : f32
    %one = arith.constant 1.0 : f32
    %den = arith.addf %one, %exp : f32
    %silu = arith.divf %vf, %den : f32
    %r = arith.truncf %silu : f32 to f16
    linalg.yield %r : f16
  } -> tensor<4x64xf16>
  return %act : tensor<4x64xf16>
}
