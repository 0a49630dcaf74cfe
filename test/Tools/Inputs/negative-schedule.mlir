// A hand-written CPU schedule with a negative entry.
func.func @negative(%x: tensor<1x256xf32>, %q: tensor<64x256xsi4>, %s: tensor<64x2xf16>) -> tensor<1x64xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b {lowbit.schedule = {target = "cpu-avx2", rows = 1, threads = -2}}
      : (tensor<1x256xf32>, tensor<64x256xsi4>, tensor<64x2xf16>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}
