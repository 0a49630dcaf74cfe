func.func private @negative_slot() attributes {l = #lowbit.layout<bits = 4, word = 32, order = [0, -1]>}
