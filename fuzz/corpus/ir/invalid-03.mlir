func.func private @zero_group() attributes {s = #lowbit.scheme<group = [1, 0], scale = f16>}
