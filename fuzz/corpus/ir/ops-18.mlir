func.func @matmul_epilogue_batched(%x: tensor<?x8x64xf32>, %q: tensor<32x64xf4E2M1FN>, %s: tensor<32x4xf8E4M3FN>,
                                   %t: tensor<f32>, %keep: tensor<32xi1>, %r: tensor<?x8x32xf32>) -> tensor<?x8x32xf32> {
  %y = lowbit.matmul %x, %q, %s tensor_scale %t scheme <group = [1, 16], scale = f8E4M3FN, tensor_scale = f32> transpose_b
      epilogue(%keep, %r : tensor<32xi1>, tensor<?x8x32xf32>) {
    ^bb0(%acc: f32, %k: i1, %res: f32):
      %sum = arith.addf %acc, %res : f32
      %sel = arith.select %k, %sum, %acc : f32
      lowbit.yield %sel : f32
  } : (tensor<?x8x64xf32>, tensor<32x64xf4E2M1FN>, tensor<32x4xf8E4M3FN>, tensor<f32>, tensor<32xi1>, tensor<?x8x32xf32>) -> tensor<?x8x32xf32>
  return %y : tensor<?x8x32xf32>
}
