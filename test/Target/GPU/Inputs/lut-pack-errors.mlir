// Inputs of lut-errors.mlir: matmuls --lowbit-pack-weights="target=cuda
// strategy=lut" refuses, and one it takes.

func.func @int4(%x: tensor<1x256xf16>, %q: tensor<64x256xsi4>, %s: tensor<64x2xf16>) -> tensor<1x64xf16> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b
      : (tensor<1x256xf16>, tensor<64x256xsi4>, tensor<64x2xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}

// -----

func.func @nf4(%x: tensor<1x256xf16>, %q: tensor<64x256x!lowbit.codebook<nf4>>, %s: tensor<64x2xf16>) -> tensor<1x64xf16> {
  // expected-error @+1 {{'lowbit.matmul' op cannot use the lut strategy: the lut strategy takes integer and ternary weights, not nf4; use the dequant strategy}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b
      : (tensor<1x256xf16>, tensor<64x256x!lowbit.codebook<nf4>>, tensor<64x2xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}

// -----

func.func @e2m1(%x: tensor<1x256xbf16>, %q: tensor<64x256xf4E2M1FN>, %s: tensor<64x2xbf16>) -> tensor<1x64xbf16> {
  // expected-error @+1 {{'lowbit.matmul' op cannot use the lut strategy: the lut strategy takes integer and ternary weights, not e2m1; use the dequant strategy}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = bf16> transpose_b
      : (tensor<1x256xbf16>, tensor<64x256xf4E2M1FN>, tensor<64x2xbf16>) -> tensor<1x64xbf16>
  return %y : tensor<1x64xbf16>
}
