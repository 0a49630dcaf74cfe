// The number of activation rows is known only at run time.
func.func @dynamic(%x: tensor<?x256xf32>, %q: tensor<64x256xsi4>, %s: tensor<64x2xf16>) -> tensor<?x64xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b
      : (tensor<?x256xf32>, tensor<64x256xsi4>, tensor<64x2xf16>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}
