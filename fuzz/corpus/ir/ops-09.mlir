func.func @dynamic_rows(%q: tensor<?x64xsi4>, %s: tensor<?x2xf16>) -> tensor<?x64xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [1, 32], scale = f16>
      : (tensor<?x64xsi4>, tensor<?x2xf16>) -> tensor<?x64xf32>
  return %w : tensor<?x64xf32>
}
