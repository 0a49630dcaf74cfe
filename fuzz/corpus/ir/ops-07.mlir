func.func @quantize_nvfp4(%x: tensor<16x64xf32>, %s: tensor<16x4xf8E4M3FN>,
                          %t: tensor<f32>) -> tensor<16x64xf4E2M1FN> {
  %q = lowbit.quantize %x, %s tensor_scale %t scheme <group = [1, 16], scale = f8E4M3FN, tensor_scale = f32>
      : (tensor<16x64xf32>, tensor<16x4xf8E4M3FN>, tensor<f32>) -> tensor<16x64xf4E2M1FN>
  return %q : tensor<16x64xf4E2M1FN>
}
