func.func private @fn_without_values(tensor<4x!lowbit.float<e1m0, fn>>)
