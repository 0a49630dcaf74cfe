func.func private @float_codes(
    tensor<4x!lowbit.float<e3m0>>, tensor<4x!lowbit.float<e2m2, finite>>,
    tensor<4x!lowbit.float<e1m2>>, tensor<4x!lowbit.float<e4m3, ieee>>,
    tensor<4x!lowbit.float<e4m3, fn>>, tensor<4x!lowbit.float<e5m2, ieee>>,
    tensor<4x!lowbit.float<e3m2, finite, bias = 2>>,
    tensor<4x!lowbit.float<e2m1, fn>>, tensor<4x!lowbit.float<e3m3>>,
    tensor<4x!lowbit.float<e3m3, finite>>)
