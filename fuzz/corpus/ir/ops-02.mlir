func.func @constants() -> (tensor<3x!lowbit.float<e3m0>>, tensor<2x2x!lowbit.ternary>,
                           tensor<2x!lowbit.codebook<nf4>>) {
  %0 = lowbit.constant dense<[0, 1, 15]> : tensor<3xui8> as tensor<3x!lowbit.float<e3m0>>
  %1 = lowbit.constant dense<[[0, 1], [2, 1]]> : tensor<2x2xui8> as tensor<2x2x!lowbit.ternary>
  %2 = lowbit.constant dense<7> : tensor<2xui8> as tensor<2x!lowbit.codebook<nf4>>
  return %0, %1, %2 : tensor<3x!lowbit.float<e3m0>>, tensor<2x2x!lowbit.ternary>, tensor<2x!lowbit.codebook<nf4>>
}
