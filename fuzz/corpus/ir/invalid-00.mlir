func.func private @bad_split(tensor<4x!lowbit.float<x2m1>>)
