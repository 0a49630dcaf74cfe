func.func private @codebook_inf(tensor<4x!lowbit.codebook<1, [0x7FF0000000000000, 1.0]>>)
