func.func private @lanes_and_order() attributes {l = #lowbit.layout<bits = 4, word = 32, aligned, lanes = 2, order = [1, 0]>}
