// The kernels of test/Target/CPU/Inputs/epilogue-kernels.mlir for the GPU
// emitters (execute-epilogue-emulated.test): the same names and epilogues,
// restated in float64 by ../../CPU/Inputs/epilogue_driver.py, with f16 or
// bf16 activations and K a multiple of 128 as the GPU kernels take.

// SiLU after the matmul's own bias: f32 in and out.
func.func @silu_bias(%x: tensor<5x128xf16>, %q: tensor<19x128xsi4>, %s: tensor<19x2xf16>, %b: tensor<19xf32>) -> tensor<5x19xf32> {
  %y = lowbit.matmul %x, %q, %s bias %b scheme <group = [1, 64], scale = f16> transpose_b epilogue {
    ^bb0(%acc: f32):
      %neg = arith.negf %acc : f32
      %exp = math.exp %neg : f32
      %one = arith.constant 1.0 : f32
      %den = arith.addf %one, %exp : f32
      %silu = arith.divf %acc, %den : f32
      lowbit.yield %silu : f32
  } : (tensor<5x128xf16>, tensor<19x128xsi4>, tensor<19x2xf16>, tensor<19xf32>) -> tensor<5x19xf32>
  return %y : tensor<5x19xf32>
}

// GELU (tanh form) after a bias broadcast along rows: f16 in and out.
func.func @gelu_tanh_f16(%x: tensor<5x256xf16>, %q: tensor<24x256xsi4>, %s: tensor<24x4xf16>, %b: tensor<24xf16>) -> tensor<5x24xf16> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      epilogue(%b : tensor<24xf16>) {
    ^bb0(%acc: f32, %bias: f16):
      %bw = arith.extf %bias : f16 to f32
      %h = arith.addf %acc, %bw : f32
      %c0 = arith.constant 0.044715 : f32
      %c1 = arith.constant 0.7978845608 : f32
      %half = arith.constant 0.5 : f32
      %one = arith.constant 1.0 : f32
      %h2 = arith.mulf %h, %h : f32
      %h3 = arith.mulf %h2, %h : f32
      %ch3 = arith.mulf %c0, %h3 : f32
      %inner = arith.addf %h, %ch3 : f32
      %arg = arith.mulf %c1, %inner : f32
      %tanh = math.tanh %arg : f32
      %sum = arith.addf %one, %tanh : f32
      %hh = arith.mulf %half, %h : f32
      %gelu = arith.mulf %hh, %sum : f32
      %t = arith.truncf %gelu : f32 to f16
      lowbit.yield %t : f16
  } : (tensor<5x256xf16>, tensor<24x256xsi4>, tensor<24x4xf16>, tensor<24xf16>) -> tensor<5x24xf16>
  return %y : tensor<5x24xf16>
}

// Exact GELU of a per-channel scaled accumulator, plus an [M, N] residual:
// bf16 in, f32 out. The long K splits over blocks that meet in the workspace;
// the last one applies the epilogue.
func.func @gelu_erf_residual(%x: tensor<5x8192xbf16>, %q: tensor<21x8192xsi4>, %s: tensor<21x128xf16>, %scale: tensor<21xbf16>, %r: tensor<5x21xf32>) -> tensor<5x21xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      epilogue(%scale, %r : tensor<21xbf16>, tensor<5x21xf32>) {
    ^bb0(%acc: f32, %sc: bf16, %res: f32):
      %sw = arith.extf %sc : bf16 to f32
      %h = arith.mulf %acc, %sw : f32
      %rsqrt2 = arith.constant 0.70710678118654752 : f32
      %half = arith.constant 0.5 : f32
      %one = arith.constant 1.0 : f32
      %a = arith.mulf %h, %rsqrt2 : f32
      %erf = math.erf %a : f32
      %s1 = arith.addf %one, %erf : f32
      %hh = arith.mulf %half, %h : f32
      %gelu = arith.mulf %hh, %s1 : f32
      %sum = arith.addf %gelu, %res : f32
      lowbit.yield %sum : f32
  } : (tensor<5x8192xbf16>, tensor<21x8192xsi4>, tensor<21x128xf16>, tensor<21xbf16>, tensor<5x21xf32>) -> tensor<5x21xf32>
  return %y : tensor<5x21xf32>
}

// f16 arithmetic in the region: residual add, then a leaky ReLU where a
// per-channel i1 mask is set.
func.func @masked_leaky_f16(%x: tensor<5x128xf16>, %q: tensor<19x128xsi4>, %s: tensor<19x2xf16>, %keep: tensor<19xi1>, %r: tensor<5x19xf16>) -> tensor<5x19xf16> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      epilogue(%keep, %r : tensor<19xi1>, tensor<5x19xf16>) {
    ^bb0(%acc: f32, %k: i1, %res: f16):
      %h = arith.truncf %acc : f32 to f16
      %sum = arith.addf %h, %res : f16
      %slope = arith.constant 0.1 : f16
      %zero = arith.constant 0.0 : f16
      %leak = arith.mulf %sum, %slope : f16
      %relu = arith.maximumf %sum, %leak : f16
      %negative = arith.cmpf ult, %sum, %zero : f16
      %apply = arith.andi %k, %negative : i1
      %out = arith.select %apply, %relu, %sum : f16
      lowbit.yield %out : f16
  } : (tensor<5x128xf16>, tensor<19x128xsi4>, tensor<19x2xf16>, tensor<19xi1>, tensor<5x19xf16>) -> tensor<5x19xf16>
  return %y : tensor<5x19xf16>
}

// Division by a per-channel root mean square, clamped, stored as bf16.
func.func @rsqrt_clamp_bf16(%x: tensor<5x128xbf16>, %q: tensor<19x128xsi4>, %s: tensor<19x2xf16>, %ms: tensor<19xf32>) -> tensor<5x19xbf16> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      epilogue(%ms : tensor<19xf32>) {
    ^bb0(%acc: f32, %meansq: f32):
      %inv = math.rsqrt %meansq : f32
      %h = arith.mulf %acc, %inv : f32
      %lo = arith.constant -1.5 : f32
      %hi = arith.constant 1.5 : f32
      %c0 = arith.maximumf %h, %lo : f32
      %c1 = arith.minimumf %c0, %hi : f32
      %t = arith.truncf %c1 : f32 to bf16
      lowbit.yield %t : bf16
  } : (tensor<5x128xbf16>, tensor<19x128xsi4>, tensor<19x2xf16>, tensor<19xf32>) -> tensor<5x19xbf16>
  return %y : tensor<5x19xbf16>
}

// Integer operands and the rarer ops: an i8 per-channel factor converted and
// compared, fma, absf, powf, copysign, isnan, exp2 on f32.
func.func @int_factor_mix(%x: tensor<5x128xf16>, %q: tensor<19x128xsi4>, %s: tensor<19x2xf16>, %f: tensor<19xi8>, %r: tensor<5x19xf32>) -> tensor<5x19xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      epilogue(%f, %r : tensor<19xi8>, tensor<5x19xf32>) {
    ^bb0(%acc: f32, %factor: i8, %res: f32):
      %a = arith.sitofp %factor : i8 to f32
      %b = math.fma %acc, %a, %res : f32
      %mag = math.absf %b : f32
      %one = arith.constant 1.0 : f32
      %exponent = arith.constant 1.25 : f32
      %m1 = arith.addf %mag, %one : f32
      %p = math.powf %m1, %exponent : f32
      %pm = arith.subf %p, %one : f32
      %signed = math.copysign %pm, %b : f32
      %nan = math.isnan %signed : f32
      %zero = arith.constant 0.0 : f32
      %clean = arith.select %nan, %zero, %signed : f32
      %c0 = arith.constant 0 : i8
      %positive = arith.cmpi sgt, %factor, %c0 : i8
      %negmag = arith.negf %mag : f32
      %alt = math.exp2 %negmag : f32
      %out = arith.select %positive, %clean, %alt : f32
      lowbit.yield %out : f32
  } : (tensor<5x128xf16>, tensor<19x128xsi4>, tensor<19x2xf16>, tensor<19xi8>, tensor<5x19xf32>) -> tensor<5x19xf32>
  return %y : tensor<5x19xf32>
}
