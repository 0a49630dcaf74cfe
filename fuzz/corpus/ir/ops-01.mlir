func.func private @codebooks(
    tensor<4x!lowbit.codebook<nf4>>,
    tensor<4x!lowbit.codebook<2, [-1.5, -0.5, 0.5, 1.5]>>,
    tensor<4x!lowbit.codebook<1, [-0.25, 0.75]>>, tensor<4x!lowbit.ternary>)
