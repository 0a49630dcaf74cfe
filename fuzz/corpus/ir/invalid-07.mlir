%0 = lowbit.constant dense<[1.0, 2.0]> : tensor<2xf32> as tensor<2x!lowbit.float<e3m0>>
