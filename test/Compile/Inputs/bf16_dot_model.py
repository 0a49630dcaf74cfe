#!/usr/bin/env python3
"""Prints a one-layer bf16 model with constant int4 weights and f16 scales
that vary along both dimensions ((7n + 3k) mod 16 - 8, and 2^-(n mod 5)), so
that `lowbit-compile --run` checks a kernel whose weight layout matters."""

N, K, G = 64, 256, 64
codes = ",".join(
    "[" + ",".join(str((7 * n + 3 * k) % 16 - 8) for k in range(K)) + "]"
    for n in range(N))
scales = ",".join(
    "[" + ",".join(str(2.0 ** -(n % 5)) for _ in range(K // G)) + "]"
    for n in range(N))
print(f"""func.func @layer(%x: tensor<1x{K}xbf16>) -> tensor<1x{N}xbf16> {{
  %q = arith.constant dense<[{codes}]> : tensor<{N}x{K}xsi4>
  %s = arith.constant dense<[{scales}]> : tensor<{N}x{K // G}xf16>
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, {G}], scale = f16> transpose_b
      : (tensor<1x{K}xbf16>, tensor<{N}x{K}xsi4>, tensor<{N}x{K // G}xf16>) -> tensor<1x{N}xbf16>
  return %y : tensor<1x{N}xbf16>
}}""")
