func.func @matmul_gptq(%x: tensor<16x4096xf16>, %q: tensor<1024x4096xui4>,
                       %s: tensor<1024x32xf16>, %z: tensor<1024x32xui4>) -> tensor<16x1024xf16> {
  %y = lowbit.matmul %x, %q, %s zeros %z scheme <group = [1, 128], scale = f16, zero = int> transpose_b
      : (tensor<16x4096xf16>, tensor<1024x4096xui4>, tensor<1024x32xf16>, tensor<1024x32xui4>) -> tensor<16x1024xf16>
  return %y : tensor<16x1024xf16>
}
