%0 = lowbit.constant dense<[0, 1, 2]> : tensor<3xui8> as tensor<4x!lowbit.ternary>
