func.func @quantize_other_elements(%x: tensor<8x32xf32>, %x16: tensor<8x32xf16>, %x64: tensor<8x32xf64>,
                                   %s22: tensor<2x2xf32>, %s81: tensor<8x1xf32>, %s11: tensor<1x1xf16>,
                                   %s84: tensor<8x4xf32>) {
  %0 = lowbit.quantize %x, %s22 scheme <group = [4, 16], scale = f32>
      : (tensor<8x32xf32>, tensor<2x2xf32>) -> tensor<8x32x!lowbit.codebook<nf4>>
  %1 = lowbit.quantize %x, %s81 scheme <group = [1, 32], scale = f32>
      : (tensor<8x32xf32>, tensor<8x1xf32>) -> tensor<8x32x!lowbit.ternary>
  %2 = lowbit.quantize %x16, %s11 scheme <group = [8, 32], scale = f16>
      : (tensor<8x32xf16>, tensor<1x1xf16>) -> tensor<8x32xf6E3M2FN>
  %3 = lowbit.quantize %x64, %s84 scheme <group = [1, 8], scale = f32>
      : (tensor<8x32xf64>, tensor<8x4xf32>) -> tensor<8x32xf8E4M3FN>
  %4 = lowbit.quantize %x, %s84 scheme <group = [1, 8], scale = f32>
      : (tensor<8x32xf32>, tensor<8x4xf32>) -> tensor<8x32xf8E5M2>
  %5 = lowbit.quantize %x, %s84 scheme <group = [1, 8], scale = f32>
      : (tensor<8x32xf32>, tensor<8x4xf32>) -> tensor<8x32xf6E2M3FN>
  %6 = lowbit.quantize %x, %s84 scheme <group = [1, 8], scale = f32>
      : (tensor<8x32xf32>, tensor<8x4xf32>) -> tensor<8x32xi1>
  return
}
