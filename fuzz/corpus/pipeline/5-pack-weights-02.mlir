func.func @pack_nf4_epilogue(%x: tensor<1x64xf32>, %q: tensor<32x64x!lowbit.codebook<nf4>>,
                             %s: tensor<32x1xf32>, %b: tensor<32xf32>) -> tensor<1x32xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f32> transpose_b
      epilogue(%b : tensor<32xf32>) {
  ^bb0(%acc: f32, %bias: f32):
    %v = arith.addf %acc, %bias : f32
    lowbit.yield %v : f32
  } : (tensor<1x64xf32>, tensor<32x64x!lowbit.codebook<nf4>>, tensor<32x1xf32>, tensor<32xf32>) -> tensor<1x32xf32>
  return %y : tensor<1x32xf32>
}
