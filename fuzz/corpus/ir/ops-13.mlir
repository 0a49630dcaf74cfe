func.func @matmul_batched_nvfp4(%x: tensor<2x8x64xf32>, %q: tensor<32x64xf4E2M1FN>,
                                %s: tensor<32x4xf8E4M3FN>, %t: tensor<f32>) -> tensor<2x8x32xf32> {
  %y = lowbit.matmul %x, %q, %s tensor_scale %t scheme <group = [1, 16], scale = f8E4M3FN, tensor_scale = f32> transpose_b
      : (tensor<2x8x64xf32>, tensor<32x64xf4E2M1FN>, tensor<32x4xf8E4M3FN>, tensor<f32>) -> tensor<2x8x32xf32>
  return %y : tensor<2x8x32xf32>
}
