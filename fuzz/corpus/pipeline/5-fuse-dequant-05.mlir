func.func @vecmat(%x: tensor<?xf32>, %q: tensor<?x16xsi4>, %s: tensor<?x16xf32>, %c: tensor<16xf32>) -> tensor<16xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [32, 1], scale = f32>
      : (tensor<?x16xsi4>, tensor<?x16xf32>) -> tensor<?x16xf32>
  %y = linalg.vecmat ins(%x, %w : tensor<?xf32>, tensor<?x16xf32>)
      outs(%c : tensor<16xf32>) -> tensor<16xf32>
  return %y : tensor<16xf32>
}
