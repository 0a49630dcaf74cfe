// Hand-written GPU schedules: a recorded one with cp.async stages, one whose
// stages the generator refuses, and one whose entry does not fit an int.
func.func @staged(%x: tensor<1x512xf16>, %q: tensor<64x512xsi4>, %s: tensor<64x4xf16>) -> tensor<1x64xf16> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b {lowbit.schedule = {target = "cuda", tiles_n = 2, warps_n = 2, warps_k = 1, split_k = 1, stages = 3}}
      : (tensor<1x512xf16>, tensor<64x512xsi4>, tensor<64x4xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}

// -----

func.func @one_stage(%x: tensor<1x512xf16>, %q: tensor<64x512xsi4>, %s: tensor<64x4xf16>) -> tensor<1x64xf16> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b {lowbit.schedule = {target = "cuda", tiles_n = 2, warps_n = 2, warps_k = 1, split_k = 1, stages = 1}}
      : (tensor<1x512xf16>, tensor<64x512xsi4>, tensor<64x4xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}

// -----

func.func @huge(%x: tensor<1x512xf16>, %q: tensor<64x512xsi4>, %s: tensor<64x4xf16>) -> tensor<1x64xf16> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b {lowbit.schedule = {target = "cuda", tiles_n = 2, warps_n = 2, warps_k = 1, split_k = 1, stages = 4294967299}}
      : (tensor<1x512xf16>, tensor<64x512xsi4>, tensor<64x4xf16>) -> tensor<1x64xf16>
  return %y : tensor<1x64xf16>
}
