// f32 activations, which the GPU kernels do not take (errors.test).
func.func @f32_layer(%x: tensor<1x256xf32>, %q: tensor<64x256xsi4>, %s: tensor<64x2xf16>) -> tensor<1x64xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b
      : (tensor<1x256xf32>, tensor<64x256xsi4>, tensor<64x2xf16>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}
