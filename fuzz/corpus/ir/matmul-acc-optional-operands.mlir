func.func @matmul_acc(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>) {
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16> acc(bf16)
      : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>) -> tensor<4x8xf16>
  return
}
