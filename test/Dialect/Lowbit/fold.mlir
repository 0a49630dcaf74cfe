// RUN: lowbit-opt %s --canonicalize --split-input-file | FileCheck %s
//
// Quantize, dequantize, pack and unpack of constants fold through the
// reference numerics library. Expected values are worked out by hand in the
// comments.

// int mode, ui4, s = 0.25, z = 2: q = rne(x / s + z) clamped to [0, 15].
//   0.125 -> 2.5 -> 2 (tie to even); 0.375 -> 3.5 -> 4 (tie to even);
//   -1.0 -> -2 -> 0 (saturates); 3.75 -> 17 -> 15 (saturates).
// CHECK-LABEL: func.func @quantize_uint4_int_zero
// CHECK-NEXT: %[[C:.*]] = arith.constant dense<{{\[\[}}2, 4, 0, 15]]> : tensor<1x4xui4>
// CHECK-NEXT: return %[[C]]
func.func @quantize_uint4_int_zero() -> tensor<1x4xui4> {
  %x = arith.constant dense<[[0.125, 0.375, -1.0, 3.75]]> : tensor<1x4xf32>
  %s = arith.constant dense<0.25> : tensor<1x1xf16>
  %z = arith.constant dense<2> : tensor<1x1xui4>
  %q = lowbit.quantize %x, %s zeros %z scheme <group = [1, 4], scale = f16, zero = int>
      : (tensor<1x4xf32>, tensor<1x1xf16>, tensor<1x1xui4>) -> tensor<1x4xui4>
  return %q : tensor<1x4xui4>
}

// -----

// e2m1 (values 0, 0.5, 1, 1.5, 2, 3, 4, 6), s = 2: x / s = 0.5, 1.25, -3.5, 10.
//   1.25 is a tie between 1 (code 2) and 1.5 (code 3): even code, 1.
//   -3.5 is a tie between 3 (code 5) and 4 (code 6): even code, 4.
//   10 saturates to 6.
// CHECK-LABEL: func.func @quantize_e2m1
// CHECK-NEXT: arith.constant dense<[5.000000e-01, 1.000000e+00, -4.000000e+00, 6.000000e+00]> : tensor<4xf4E2M1FN>
func.func @quantize_e2m1() -> tensor<4xf4E2M1FN> {
  %x = arith.constant dense<[1.0, 2.5, -7.0, 20.0]> : tensor<4xf32>
  %s = arith.constant dense<2.0> : tensor<1xf32>
  %q = lowbit.quantize %x, %s scheme <group = [4], scale = f32>
      : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf4E2M1FN>
  return %q : tensor<4xf4E2M1FN>
}

// -----

// e3m0 (finite, bias 3): codes 1..7 are 0.25, 0.5, 1, 2, 4, 8, 16.
//   0.3 -> 0.25 (code 1); 5 -> 4 (code 5); 6 is a tie between 4 (code 5) and
//   8 (code 6): even code 6; -100 saturates to -16 (code 8 + 7 = 15).
// CHECK-LABEL: func.func @quantize_e3m0
// CHECK-NEXT: %[[C:.*]] = lowbit.constant dense<[1, 5, 6, 15]> : tensor<4xui8> as tensor<4x!lowbit.float<e3m0>>
// CHECK-NEXT: return %[[C]]
func.func @quantize_e3m0() -> tensor<4x!lowbit.float<e3m0>> {
  %x = arith.constant dense<[0.3, 5.0, 6.0, -100.0]> : tensor<4xf32>
  %s = arith.constant dense<1.0> : tensor<1xbf16>
  %q = lowbit.quantize %x, %s scheme <group = [4], scale = bf16>
      : (tensor<4xf32>, tensor<1xbf16>) -> tensor<4x!lowbit.float<e3m0>>
  return %q : tensor<4x!lowbit.float<e3m0>>
}

// -----

// Two groups of 2 along the row: s = [0.5, 4]; x / s = [3, -3] and [3, -3]
// for si3 (range -4..3).
// CHECK-LABEL: func.func @quantize_groups
// CHECK-NEXT: arith.constant dense<[3, -3, 3, -3]> : tensor<4xsi3>
func.func @quantize_groups() -> tensor<4xsi3> {
  %x = arith.constant dense<[1.5, -1.5, 12.0, -12.0]> : tensor<4xf32>
  %s = arith.constant dense<[0.5, 4.0]> : tensor<2xf32>
  %q = lowbit.quantize %x, %s scheme <group = [2], scale = f32>
      : (tensor<4xf32>, tensor<2xf32>) -> tensor<4xsi3>
  return %q : tensor<4xsi3>
}

// -----

// int mode: (q - z) * s with z = 8, s = 0.5: codes 0, 7, 15 -> -4, -0.5, 3.5.
// CHECK-LABEL: func.func @dequantize_int_zero
// CHECK-NEXT: arith.constant dense<[-4.000000e+00, -5.000000e-01, 3.500000e+00]> : tensor<3xf32>
func.func @dequantize_int_zero() -> tensor<3xf32> {
  %q = arith.constant dense<[0, 7, 15]> : tensor<3xui4>
  %s = arith.constant dense<0.5> : tensor<1xf16>
  %z = arith.constant dense<8> : tensor<1xui8>
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [3], scale = f16, zero = int>
      : (tensor<3xui4>, tensor<1xf16>, tensor<1xui8>) -> tensor<3xf32>
  return %w : tensor<3xf32>
}

// -----

// float mode: q * s - z with s = 2, z = 1: codes 0..3 -> -1, 1, 3, 5.
// CHECK-LABEL: func.func @dequantize_float_zero
// CHECK-NEXT: arith.constant dense<[-1.000000e+00, 1.000000e+00, 3.000000e+00, 5.000000e+00]> : tensor<4xf16>
func.func @dequantize_float_zero() -> tensor<4xf16> {
  %q = arith.constant dense<[0, 1, 2, 3]> : tensor<4xui2>
  %s = arith.constant dense<2.0> : tensor<1xbf16>
  %z = arith.constant dense<1.0> : tensor<1xbf16>
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [4], scale = bf16, zero = float>
      : (tensor<4xui2>, tensor<1xbf16>, tensor<1xbf16>) -> tensor<4xf16>
  return %w : tensor<4xf16>
}

// -----

// asym_fp: positive codes scale by 0.5, negative ones by 0.25:
// -8, -1, 0, 7 -> -2, -0.25, 0, 3.5.
// CHECK-LABEL: func.func @dequantize_asym_fp
// CHECK-NEXT: arith.constant dense<[-2.000000e+00, -2.500000e-01, 0.000000e+00, 3.500000e+00]> : tensor<4xf32>
func.func @dequantize_asym_fp() -> tensor<4xf32> {
  %q = arith.constant dense<[-8, -1, 0, 7]> : tensor<4xsi4>
  %s = arith.constant dense<0.5> : tensor<1xf32>
  %sn = arith.constant dense<0.25> : tensor<1xf32>
  %w = lowbit.dequantize %q, %s neg_scales %sn scheme <group = [4], scale = f32, zero = asym_fp>
      : (tensor<4xsi4>, tensor<1xf32>, tensor<1xf32>) -> tensor<4xf32>
  return %w : tensor<4xf32>
}

// -----

// NVFP4: e2m1 values 6 and -0.5, e4m3 group scale 1.5, tensor scale 4:
// 6 * 1.5 * 4 = 36 and -0.5 * 1.5 * 4 = -3.
// CHECK-LABEL: func.func @dequantize_nvfp4
// CHECK-NEXT: arith.constant dense<[3.600000e+01, -3.000000e+00]> : tensor<2xf32>
func.func @dequantize_nvfp4() -> tensor<2xf32> {
  %q = arith.constant dense<[6.0, -0.5]> : tensor<2xf4E2M1FN>
  %s = arith.constant dense<1.5> : tensor<1xf8E4M3FN>
  %t = arith.constant dense<4.0> : tensor<f32>
  %w = lowbit.dequantize %q, %s tensor_scale %t scheme <group = [2], scale = f8E4M3FN, tensor_scale = f32>
      : (tensor<2xf4E2M1FN>, tensor<1xf8E4M3FN>, tensor<f32>) -> tensor<2xf32>
  return %w : tensor<2xf32>
}

// -----

// MXFP4: e8m0 scale 2^-3: 6 -> 0.75, 1.5 -> 0.1875.
// CHECK-LABEL: func.func @dequantize_mxfp4
// CHECK-NEXT: arith.constant dense<[7.500000e-01, 1.875000e-01]> : tensor<2xf32>
func.func @dequantize_mxfp4() -> tensor<2xf32> {
  %q = arith.constant dense<[6.0, 1.5]> : tensor<2xf4E2M1FN>
  %s = arith.constant dense<0.125> : tensor<1xf8E8M0FNU>
  %w = lowbit.dequantize %q, %s scheme <group = [2], scale = f8E8M0FNU>
      : (tensor<2xf4E2M1FN>, tensor<1xf8E8M0FNU>) -> tensor<2xf32>
  return %w : tensor<2xf32>
}

// -----

// NF4 codes 0, 7, 15 are -1, 0, 1; scale 2.
// CHECK-LABEL: func.func @dequantize_nf4
// CHECK-NEXT: arith.constant dense<[-2.000000e+00, 0.000000e+00, 2.000000e+00]> : tensor<3xf32>
func.func @dequantize_nf4() -> tensor<3xf32> {
  %q = lowbit.constant dense<[0, 7, 15]> : tensor<3xui8> as tensor<3x!lowbit.codebook<nf4>>
  %s = arith.constant dense<2.0> : tensor<1xf32>
  %w = lowbit.dequantize %q, %s scheme <group = [3], scale = f32>
      : (tensor<3x!lowbit.codebook<nf4>>, tensor<1xf32>) -> tensor<3xf32>
  return %w : tensor<3xf32>
}

// -----

// Ternary codes 0, 1, 2 are -1, 0, +1; scale 0.5.
// CHECK-LABEL: func.func @dequantize_ternary
// CHECK-NEXT: arith.constant dense<[-5.000000e-01, 0.000000e+00, 5.000000e-01]> : tensor<3xf32>
func.func @dequantize_ternary() -> tensor<3xf32> {
  %q = lowbit.constant dense<[0, 1, 2]> : tensor<3xui8> as tensor<3x!lowbit.ternary>
  %s = arith.constant dense<0.5> : tensor<1xf32>
  %w = lowbit.dequantize %q, %s scheme <group = [3], scale = f32>
      : (tensor<3x!lowbit.ternary>, tensor<1xf32>) -> tensor<3xf32>
  return %w : tensor<3xf32>
}

// -----

// Quantize then dequantize folds to the rounded weights: s = 0.5,
// int4: 0.3 -> 1 -> 0.5, -2.2 -> -4 -> -2, 9.0 -> 7 (saturates) -> 3.5.
// CHECK-LABEL: func.func @round_trip
// CHECK-NEXT: arith.constant dense<[5.000000e-01, -2.000000e+00, 3.500000e+00]> : tensor<3xf32>
// CHECK-NEXT: return
func.func @round_trip() -> tensor<3xf32> {
  %x = arith.constant dense<[0.3, -2.2, 9.0]> : tensor<3xf32>
  %s = arith.constant dense<0.5> : tensor<1xf32>
  %q = lowbit.quantize %x, %s scheme <group = [3], scale = f32>
      : (tensor<3xf32>, tensor<1xf32>) -> tensor<3xi4>
  %w = lowbit.dequantize %q, %s scheme <group = [3], scale = f32>
      : (tensor<3xi4>, tensor<1xf32>) -> tensor<3xf32>
  return %w : tensor<3xf32>
}

// -----

// Codes 1..8 in one 32-bit word. Plain: 0x87654321 (= -2023406815 as i32).
// Interleaved, element j to slot order[j]: slots hold 1,3,5,7,2,4,6,8 from
// the low nibble up: 0x86427531 (= -2042464975 as i32).
// CHECK-LABEL: func.func @pack_nibbles
// CHECK-DAG: arith.constant dense<-2023406815> : tensor<1x1xi32>
// CHECK-DAG: arith.constant dense<-2042464975> : tensor<1x1xi32>
func.func @pack_nibbles() -> (tensor<1x1xi32>, tensor<1x1xi32>) {
  %q = arith.constant dense<[[1, 2, 3, 4, 5, 6, 7, 8]]> : tensor<1x8xui4>
  %plain = lowbit.pack %q layout <bits = 4, word = 32> : tensor<1x8xui4> -> tensor<1x1xi32>
  %inter = lowbit.pack %q layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7]>
      : tensor<1x8xui4> -> tensor<1x1xi32>
  return %plain, %inter : tensor<1x1xi32>, tensor<1x1xi32>
}

// -----

// si3 codes 1, -1, 2 = 0b001, 0b111, 0b010 as a bit stream in bytes:
// byte 0 = 0b10'111'001 = 0xB9 (-71 as i8); bit 8 (the top bit of code 2)
// is 0, and the rest of byte 1 is padding.
// CHECK-LABEL: func.func @pack_straddling
// CHECK-NEXT: arith.constant dense<[-71, 0]> : tensor<2xi8>
func.func @pack_straddling() -> tensor<2xi8> {
  %q = arith.constant dense<[1, -1, 2]> : tensor<3xsi3>
  %p = lowbit.pack %q layout <bits = 3, word = 8> : tensor<3xsi3> -> tensor<2xi8>
  return %p : tensor<2xi8>
}

// -----

// Lanes: codes 0..15 dealt over two 32-bit words, element j to word j % 2 at
// nibble j / 2: 0xECA86420 (-324508640) and 0xFDB97531 (-38177487).
// Aligned 3-bit codes 5, 3, 7 in bytes, two per byte: 0x1D (29) and 0x07.
// CHECK-LABEL: func.func @pack_lanes_aligned
// CHECK-DAG: arith.constant dense<{{\[\[}}-324508640, -38177487]]> : tensor<1x2xi32>
// CHECK-DAG: arith.constant dense<[29, 7]> : tensor<2xi8>
func.func @pack_lanes_aligned() -> (tensor<1x2xi32>, tensor<2xi8>) {
  %q = arith.constant dense<[[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]]> : tensor<1x16xui4>
  %p = lowbit.pack %q layout <bits = 4, word = 32, aligned, lanes = 2> : tensor<1x16xui4> -> tensor<1x2xi32>
  %q3 = arith.constant dense<[-3, 3, -1]> : tensor<3xsi3>
  %p3 = lowbit.pack %q3 layout <bits = 3, word = 8, aligned> : tensor<3xsi3> -> tensor<2xi8>
  return %p, %p3 : tensor<1x2xi32>, tensor<2xi8>
}

// -----

// A striped layout moves whole words: bytes 0..39 are words 0x03020100,
// 0x07060504, ... (ten); in runs of two 2-word chunks, piece (word) v of
// chunk q goes to v * 2 + q, so words 1 and 2 swap, as do 5 and 6, and the
// lone last chunk (words 8, 9) stays in place.
// CHECK-LABEL: func.func @pack_striped
// CHECK-NEXT: arith.constant dense<{{\[\[}}50462976, 185207048, 117835012, 252579084, 319951120, 454695192, 387323156, 522067228, 589439264, 656811300]]> : tensor<1x10xi32>
func.func @pack_striped() -> tensor<1x10xi32> {
  %q = arith.constant dense<[[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39]]> : tensor<1x40xui8>
  %p = lowbit.pack %q layout <bits = 8, word = 32, stripe = 2, chunk = 8, piece = 1> : tensor<1x40xui8> -> tensor<1x10xi32>
  return %p : tensor<1x10xi32>
}

// -----

// Unpacking constant words: 0x86427531 with the interleaved order gives 1..8
// back, and ternary codes unpack into a lowbit.constant.
// CHECK-LABEL: func.func @unpack_constants
// CHECK-DAG: arith.constant dense<{{\[\[}}1, 2, 3, 4, 5, 6, 7, 8]]> : tensor<1x8xui4>
// CHECK-DAG: lowbit.constant dense<[2, 1, 0, 2]> : tensor<4xui8> as tensor<4x!lowbit.ternary>
func.func @unpack_constants() -> (tensor<1x8xui4>, tensor<4x!lowbit.ternary>) {
  %w = arith.constant dense<[[-2042464975]]> : tensor<1x1xi32>
  %q = lowbit.unpack %w layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7]>
      : tensor<1x1xi32> -> tensor<1x8xui4>
  // 0b10'00'01'10 = 134 (-122 as i8): codes 2, 1, 0, 2 from the low bits.
  %b = arith.constant dense<[-122]> : tensor<1xi8>
  %t = lowbit.unpack %b layout <bits = 2, word = 8> : tensor<1xi8> -> tensor<4x!lowbit.ternary>
  return %q, %t : tensor<1x8xui4>, tensor<4x!lowbit.ternary>
}

// -----

// unpack(pack(x)) with one layout is x, for values that are not constant.
// CHECK-LABEL: func.func @unpack_of_pack
// CHECK-SAME: (%[[Q:.*]]: tensor<4x100xsi3>)
// CHECK-NEXT: return %[[Q]]
func.func @unpack_of_pack(%q: tensor<4x100xsi3>) -> tensor<4x100xsi3> {
  %p = lowbit.pack %q layout <bits = 3, word = 32> : tensor<4x100xsi3> -> tensor<4x10xi32>
  %u = lowbit.unpack %p layout <bits = 3, word = 32> : tensor<4x10xi32> -> tensor<4x100xsi3>
  return %u : tensor<4x100xsi3>
}

// -----

// Different layouts do not cancel.
// CHECK-LABEL: func.func @unpack_of_pack_other_layout
// CHECK: lowbit.pack
// CHECK: lowbit.unpack
func.func @unpack_of_pack_other_layout(%q: tensor<4x64xui4>) -> tensor<4x64xui4> {
  %p = lowbit.pack %q layout <bits = 4, word = 32> : tensor<4x64xui4> -> tensor<4x8xi32>
  %u = lowbit.unpack %p layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7]>
      : tensor<4x8xi32> -> tensor<4x64xui4>
  return %u : tensor<4x64xui4>
}

// -----

// Scales that are not constant block folding.
// CHECK-LABEL: func.func @no_fold_dynamic_scale
// CHECK: lowbit.quantize
func.func @no_fold_dynamic_scale(%s: tensor<1xf32>) -> tensor<3xi4> {
  %x = arith.constant dense<[0.3, -2.2, 9.0]> : tensor<3xf32>
  %q = lowbit.quantize %x, %s scheme <group = [3], scale = f32>
      : (tensor<3xf32>, tensor<1xf32>) -> tensor<3xi4>
  return %q : tensor<3xi4>
}
