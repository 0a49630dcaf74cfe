func.func @matvec(%x: tensor<64xf32>, %q: tensor<16x64x!lowbit.codebook<nf4>>, %s: tensor<16x1xf32>) -> tensor<16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [1, 64], scale = f32>
      : (tensor<16x64x!lowbit.codebook<nf4>>, tensor<16x1xf32>) -> tensor<16x64xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<16xf32>) -> tensor<16xf32>
  %y = linalg.matvec ins(%w, %x : tensor<16x64xf32>, tensor<64xf32>)
      outs(%f : tensor<16xf32>) -> tensor<16xf32>
  return %y : tensor<16xf32>
}
