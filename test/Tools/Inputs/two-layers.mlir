// Two layers of int4 weights with f16 scales in groups of 128: a mat-vec
// and a 16-row matmul.
func.func @matvec(%x: tensor<1x4096xf32>, %q: tensor<4096x4096xsi4>, %s: tensor<4096x32xf16>) -> tensor<1x4096xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b
      : (tensor<1x4096xf32>, tensor<4096x4096xsi4>, tensor<4096x32xf16>) -> tensor<1x4096xf32>
  return %y : tensor<1x4096xf32>
}
func.func @sixteen(%x: tensor<16x4096xf32>, %q: tensor<4096x4096xsi4>, %s: tensor<4096x32xf16>) -> tensor<16x4096xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b
      : (tensor<16x4096xf32>, tensor<4096x4096xsi4>, tensor<4096x32xf16>) -> tensor<16x4096xf32>
  return %y : tensor<16x4096xf32>
}
