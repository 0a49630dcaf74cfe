// RUN: lowbit-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

// expected-error @+1 {{expected a float split like 'e2m1', got 'x2m1'}}
func.func private @bad_split(tensor<4x!lowbit.float<x2m1>>)

// -----

// expected-error @+1 {{float code e0m3 does not fit: need at least one exponent bit and at most 8 bits with the sign bit}}
func.func private @no_exponent(tensor<4x!lowbit.float<e0m3>>)

// -----

// expected-error @+1 {{float code e5m3 does not fit: need at least one exponent bit and at most 8 bits with the sign bit}}
func.func private @too_wide(tensor<4x!lowbit.float<e5m3>>)

// -----

// expected-error @+1 {{expected a float convention ('ieee', 'fn' or 'finite') or 'bias', got 'fnuz'}}
func.func private @bad_convention(tensor<4x!lowbit.float<e4m3, fnuz>>)

// -----

// expected-error @+1 {{float code e1m0 under the 'fn' convention has no nonzero finite value}}
func.func private @fn_without_values(tensor<4x!lowbit.float<e1m0, fn>>)

// -----

// expected-error @+1 {{float code e1m0 under the 'ieee' convention has no nonzero finite value}}
func.func private @ieee_without_values(tensor<4x!lowbit.float<e1m0, ieee>>)

// -----

// expected-error @+1 {{unknown named codebook 'nf3', expected 'nf4' or '<bits>, [values]'}}
func.func private @unknown_codebook(tensor<4x!lowbit.codebook<nf3>>)

// -----

// expected-error @+1 {{a 2-bit codebook needs 4 values, got 3}}
func.func private @codebook_size(tensor<4x!lowbit.codebook<2, [-1.0, 0.0, 1.0]>>)

// -----

// expected-error @+1 {{codebook value 0 is not a finite number}}
func.func private @codebook_inf(tensor<4x!lowbit.codebook<1, [0x7FF0000000000000, 1.0]>>)

// -----

// expected-error @+1 {{codebook width must be 1 to 8 bits, got 9}}
func.func private @codebook_width(tensor<4x!lowbit.codebook<9, [0.0]>>)

// -----

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

// expected-error @+1 {{expected a zero mode ('none', 'int', 'float' or 'asym_fp'), got 'affine'}}
func.func private @bad_zero_mode() attributes {s = #lowbit.scheme<group = [1, 32], scale = f16, zero = affine>}

// -----

// expected-error @+1 {{scheme group shape must have at least one dimension}}
func.func private @empty_group() attributes {s = #lowbit.scheme<group = [], scale = f16>}

// -----

// expected-error @+1 {{scheme group extent 0 in dimension 1 must be at least 1}}
func.func private @zero_group() attributes {s = #lowbit.scheme<group = [1, 0], scale = f16>}

// -----

// expected-error @+1 {{scheme scale type must be f32, f16, bf16, f8E8M0FNU or f8E4M3FN, got 'f64'}}
func.func private @bad_scale() attributes {s = #lowbit.scheme<group = [1, 32], scale = f64>}

// -----

// expected-error @+1 {{scheme tensor scale type must be f32, got 'f16'}}
func.func private @bad_tensor_scale() attributes {s = #lowbit.scheme<group = [1, 16], scale = f8E4M3FN, tensor_scale = f16>}

// -----

// expected-error @+1 {{zero mode 'float' stores zero points in the scale type, which cannot be f8E8M0FNU (it has no zero or negative values)}}
func.func private @float_zero_e8m0() attributes {s = #lowbit.scheme<group = [1, 32], scale = f8E8M0FNU, zero = float>}

// -----

// expected-error @+1 {{layout order entry -1 must be a slot index, not negative}}
func.func private @negative_slot() attributes {l = #lowbit.layout<bits = 4, word = 32, order = [0, -1]>}

// -----

// expected-error @+1 {{invalid layout: the code width 12 is out of range; expected 1 to 8 bits}}
func.func private @wide_layout() attributes {l = #lowbit.layout<bits = 12, word = 32>}

// -----

// expected-error @+1 {{invalid layout: the word width 24 is not supported; expected 8, 16, 32 or 64 bits}}
func.func private @odd_word() attributes {l = #lowbit.layout<bits = 4, word = 24>}

// -----

// expected-error @+1 {{invalid layout: the slot 2 is given to both element 1 and element 2; expected a permutation of 0..3}}
func.func private @not_permutation() attributes {l = #lowbit.layout<bits = 4, word = 32, order = [0, 2, 2, 3]>}

// -----

// expected-error @+1 {{layout takes either 'lanes' or an explicit 'order', not both}}
func.func private @lanes_and_order() attributes {l = #lowbit.layout<bits = 4, word = 32, aligned, lanes = 2, order = [1, 0]>}

// -----

// expected-error @+1 {{layout 'lanes = 16' deals codes over whole words and needs 'aligned'}}
func.func private @lanes_unaligned() attributes {l = #lowbit.layout<bits = 4, word = 32, lanes = 16>}

// -----

// expected-error @+1 {{expected 'aligned', 'lanes', 'order', 'planes', 'stripe', 'chunk' or 'piece' in a layout, got 'stride'}}
func.func private @unknown_layout_key() attributes {l = #lowbit.layout<bits = 4, word = 32, stride = 2>}

// -----

// expected-error @+1 {{layout 'stripe', 'chunk' and 'piece' go together; got stripe = 4, chunk = 128, piece = 0}}
func.func private @stripe_without_piece() attributes {l = #lowbit.layout<bits = 4, word = 32, stripe = 4, chunk = 128>}

// -----

// expected-error @+1 {{invalid layout: a stripe chunk of 96 codes of 3 bits is not a whole number of pieces of 4 32-bit words}}
func.func private @stripe_partial_piece() attributes {l = #lowbit.layout<bits = 3, word = 32, stripe = 4, chunk = 96, piece = 4>}

// -----

// expected-error @+1 {{invalid layout: a bit-plane layout cannot be striped}}
func.func private @stripe_planes() attributes {l = #lowbit.layout<bits = 2, word = 32, planes = 32, stripe = 4, chunk = 128, piece = 4>}

// -----

// expected-error @+1 {{codes attribute needs a tensor of a lowbit element type (float, codebook or ternary), got 'tensor<3xi4>'}}
%0 = lowbit.constant dense<[0, 1, 2]> : tensor<3xui8> as tensor<3xi4>

// -----

// expected-error @+1 {{codes shape 'tensor<3xui8>' does not match the tensor type 'tensor<4x!lowbit.ternary>'}}
%0 = lowbit.constant dense<[0, 1, 2]> : tensor<3xui8> as tensor<4x!lowbit.ternary>

// -----

// expected-error @+1 {{raw codes must be unsigned integers, got 'i8'}}
%0 = lowbit.constant dense<[0, 1, 2]> : tensor<3xi8> as tensor<3x!lowbit.ternary>

// -----

// expected-error @+1 {{code 3 at flat index 2 is not a valid code of '!lowbit.ternary'}}
%0 = lowbit.constant dense<[0, 1, 3]> : tensor<3xui8> as tensor<3x!lowbit.ternary>

// -----

// expected-error @+1 {{code 16 at flat index 0 is not a valid code of '!lowbit.float<e3m0>'}}
%0 = lowbit.constant dense<[16, 1]> : tensor<2xui8> as tensor<2x!lowbit.float<e3m0>>

// -----

// expected-error @+1 {{expected dense unsigned integer codes, got dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>}}
%0 = lowbit.constant dense<[1.0, 2.0]> : tensor<2xf32> as tensor<2x!lowbit.float<e3m0>>

// -----

// expected-error @+1 {{expected a tensor type after 'as', got '!lowbit.ternary'}}
%0 = lowbit.constant dense<1> : tensor<2xui8> as !lowbit.ternary

// -----

//===----------------------------------------------------------------------===//
// Quantization parameters (shared by quantize, dequantize and matmul)
//===----------------------------------------------------------------------===//

func.func @group_rank(%q: tensor<8x128xui4>, %s: tensor<8xf16>) {
  // expected-error @+1 {{'lowbit.dequantize' op scheme group shape [128] has rank 1 but the input tensor has rank 2}}
  %w = lowbit.dequantize %q, %s scheme <group = [128], scale = f16>
      : (tensor<8x128xui4>, tensor<8xf16>) -> tensor<8x128xf32>
  return
}

// -----

func.func @group_divides(%q: tensor<8x100xui4>, %s: tensor<8x1xf16>) {
  // expected-error @+1 {{'lowbit.dequantize' op dimension 1 of the input tensor (100) is not a multiple of the group extent 64}}
  %w = lowbit.dequantize %q, %s scheme <group = [1, 64], scale = f16>
      : (tensor<8x100xui4>, tensor<8x1xf16>) -> tensor<8x100xf32>
  return
}

// -----

func.func @scales_shape(%q: tensor<8x256xui4>, %s: tensor<8x4xf16>) {
  // expected-error @+1 {{'lowbit.dequantize' op scales have shape [8, 4] but the scheme requires [8, 2] (input shape [8, 256] divided by group [1, 128])}}
  %w = lowbit.dequantize %q, %s scheme <group = [1, 128], scale = f16>
      : (tensor<8x256xui4>, tensor<8x4xf16>) -> tensor<8x256xf32>
  return
}

// -----

func.func @scales_type(%q: tensor<8x256xui4>, %s: tensor<8x2xf32>) {
  // expected-error @+1 {{'lowbit.dequantize' op scales have element type 'f32' but the scheme's scale type is 'f16'}}
  %w = lowbit.dequantize %q, %s scheme <group = [1, 128], scale = f16>
      : (tensor<8x256xui4>, tensor<8x2xf32>) -> tensor<8x256xf32>
  return
}

// -----

func.func @zeros_missing(%q: tensor<8x256xui4>, %s: tensor<8x2xf16>) {
  // expected-error @+1 {{'lowbit.dequantize' op needs a zeros operand for zero mode 'int'}}
  %w = lowbit.dequantize %q, %s scheme <group = [1, 128], scale = f16, zero = int>
      : (tensor<8x256xui4>, tensor<8x2xf16>) -> tensor<8x256xf32>
  return
}

// -----

func.func @zeros_unexpected(%q: tensor<8x256xui4>, %s: tensor<8x2xf16>, %z: tensor<8x2xui4>) {
  // expected-error @+1 {{'lowbit.dequantize' op has a zeros operand but zero mode 'none'}}
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [1, 128], scale = f16>
      : (tensor<8x256xui4>, tensor<8x2xf16>, tensor<8x2xui4>) -> tensor<8x256xf32>
  return
}

// -----

func.func @int_zeros_type(%q: tensor<8x256xui4>, %s: tensor<8x2xf16>, %z: tensor<8x2xf32>) {
  // expected-error @+1 {{'lowbit.dequantize' op zero points of mode 'int' must be integers or of the scale type 'f16', got 'f32'}}
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [1, 128], scale = f16, zero = int>
      : (tensor<8x256xui4>, tensor<8x2xf16>, tensor<8x2xf32>) -> tensor<8x256xf32>
  return
}

// -----

func.func @float_zeros_type(%q: tensor<8x256xui4>, %s: tensor<8x2xf16>, %z: tensor<8x2xi8>) {
  // expected-error @+1 {{'lowbit.dequantize' op zero points of mode 'float' must have the scale type 'f16', got 'i8'}}
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [1, 128], scale = f16, zero = float>
      : (tensor<8x256xui4>, tensor<8x2xf16>, tensor<8x2xi8>) -> tensor<8x256xf32>
  return
}

// -----

func.func @zeros_shape(%q: tensor<8x256xui4>, %s: tensor<8x2xf16>, %z: tensor<8x1xui4>) {
  // expected-error @+1 {{'lowbit.dequantize' op zeros have shape [8, 1] but the scheme requires [8, 2] (input shape [8, 256] divided by group [1, 128])}}
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [1, 128], scale = f16, zero = int>
      : (tensor<8x256xui4>, tensor<8x2xf16>, tensor<8x1xui4>) -> tensor<8x256xf32>
  return
}

// -----

func.func @int_zero_on_float_codes(%q: tensor<8x256xf4E2M1FN>, %s: tensor<8x2xf16>, %z: tensor<8x2xi8>) {
  // expected-error @+1 {{'lowbit.dequantize' op zero mode 'int' needs an integer element type, got 'f4E2M1FN'}}
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [1, 128], scale = f16, zero = int>
      : (tensor<8x256xf4E2M1FN>, tensor<8x2xf16>, tensor<8x2xi8>) -> tensor<8x256xf32>
  return
}

// -----

func.func @neg_scales_missing(%q: tensor<8x256xsi4>, %s: tensor<8x2xf16>) {
  // expected-error @+1 {{'lowbit.dequantize' op needs a neg_scales operand for zero mode 'asym_fp'}}
  %w = lowbit.dequantize %q, %s scheme <group = [1, 128], scale = f16, zero = asym_fp>
      : (tensor<8x256xsi4>, tensor<8x2xf16>) -> tensor<8x256xf32>
  return
}

// -----

func.func @neg_scales_unexpected(%q: tensor<8x256xsi4>, %s: tensor<8x2xf16>) {
  // expected-error @+1 {{'lowbit.dequantize' op has a neg_scales operand but zero mode 'none'}}
  %w = lowbit.dequantize %q, %s neg_scales %s scheme <group = [1, 128], scale = f16>
      : (tensor<8x256xsi4>, tensor<8x2xf16>, tensor<8x2xf16>) -> tensor<8x256xf32>
  return
}

// -----

func.func @neg_scales_shape(%q: tensor<8x256xsi4>, %s: tensor<8x2xf16>, %sn: tensor<4x2xf16>) {
  // expected-error @+1 {{'lowbit.dequantize' op neg_scales have shape [4, 2] but the scheme requires [8, 2] (input shape [8, 256] divided by group [1, 128])}}
  %w = lowbit.dequantize %q, %s neg_scales %sn scheme <group = [1, 128], scale = f16, zero = asym_fp>
      : (tensor<8x256xsi4>, tensor<8x2xf16>, tensor<4x2xf16>) -> tensor<8x256xf32>
  return
}

// -----

func.func @asym_fp_unsigned(%q: tensor<8x256xui4>, %s: tensor<8x2xf16>) {
  // expected-error @+1 {{'lowbit.dequantize' op zero mode 'asym_fp' needs a signed element type, got 'ui4'}}
  %w = lowbit.dequantize %q, %s neg_scales %s scheme <group = [1, 128], scale = f16, zero = asym_fp>
      : (tensor<8x256xui4>, tensor<8x2xf16>, tensor<8x2xf16>) -> tensor<8x256xf32>
  return
}

// -----

func.func @tensor_scale_missing(%q: tensor<8x64xf4E2M1FN>, %s: tensor<8x4xf8E4M3FN>) {
  // expected-error @+1 {{'lowbit.dequantize' op needs a tensor_scale operand for the scheme's two-level scales}}
  %w = lowbit.dequantize %q, %s scheme <group = [1, 16], scale = f8E4M3FN, tensor_scale = f32>
      : (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>) -> tensor<8x64xf32>
  return
}

// -----

func.func @tensor_scale_unexpected(%q: tensor<8x64xf4E2M1FN>, %s: tensor<8x4xf8E4M3FN>, %t: tensor<f32>) {
  // expected-error @+1 {{'lowbit.dequantize' op has a tensor_scale operand but the scheme has no tensor scale}}
  %w = lowbit.dequantize %q, %s tensor_scale %t scheme <group = [1, 16], scale = f8E4M3FN>
      : (tensor<8x64xf4E2M1FN>, tensor<8x4xf8E4M3FN>, tensor<f32>) -> tensor<8x64xf32>
  return
}

// -----

func.func @quantize_shape(%x: tensor<8x256xf32>, %s: tensor<8x2xf16>) {
  // expected-error @+1 {{'lowbit.quantize' op result shape [8, 128] differs from input shape [8, 256]}}
  %q = lowbit.quantize %x, %s scheme <group = [1, 128], scale = f16>
      : (tensor<8x256xf32>, tensor<8x2xf16>) -> tensor<8x128xsi4>
  return
}

// -----

func.func @dequantize_shape(%q: tensor<8x256xsi4>, %s: tensor<8x2xf16>) {
  // expected-error @+1 {{'lowbit.dequantize' op result shape [256, 8] differs from input shape [8, 256]}}
  %w = lowbit.dequantize %q, %s scheme <group = [1, 128], scale = f16>
      : (tensor<8x256xsi4>, tensor<8x2xf16>) -> tensor<256x8xf32>
  return
}

// -----

func.func @quantize_result_type(%x: tensor<8x256xf32>, %s: tensor<8x2xf16>) {
  // expected-error @+1 {{'lowbit.quantize' op result #0 must be ranked tensor of low-bit element type}}
  %q = lowbit.quantize %x, %s scheme <group = [1, 128], scale = f16>
      : (tensor<8x256xf32>, tensor<8x2xf16>) -> tensor<8x256xi16>
  return
}

// -----

//===----------------------------------------------------------------------===//
// lowbit.pack / lowbit.unpack
//===----------------------------------------------------------------------===//

func.func @pack_bits(%q: tensor<8x64xui4>) {
  // expected-error @+1 {{'lowbit.pack' op layout packs 3-bit codes but 'ui4' codes are 4 bits wide}}
  %p = lowbit.pack %q layout <bits = 3, word = 32> : tensor<8x64xui4> -> tensor<8x6xi32>
  return
}

// -----

func.func @pack_word(%q: tensor<8x64xui4>) {
  // expected-error @+1 {{'lowbit.pack' op layout packs into 32-bit words but the packed tensor has element type 'i16'}}
  %p = lowbit.pack %q layout <bits = 4, word = 32> : tensor<8x64xui4> -> tensor<8x16xi16>
  return
}

// -----

func.func @pack_rank(%q: tensor<8x64xui4>) {
  // expected-error @+1 {{'lowbit.pack' op packed tensor rank 1 must equal the code tensor rank 2 (at least 1)}}
  %p = lowbit.pack %q layout <bits = 4, word = 32> : tensor<8x64xui4> -> tensor<64xi32>
  return
}

// -----

func.func @pack_shape(%q: tensor<8x100xui4>) {
  // expected-error @+1 {{'lowbit.pack' op packed tensor has shape [8, 12] but codes of shape [8, 100] pack into [8, 13]}}
  %p = lowbit.pack %q layout <bits = 4, word = 32> : tensor<8x100xui4> -> tensor<8x12xi32>
  return
}

// -----

func.func @unpack_shape(%w: tensor<8x10xi32>) {
  // expected-error @+1 {{'lowbit.unpack' op packed tensor has shape [8, 10] but codes of shape [8, 100] pack into [8, 13]}}
  %q = lowbit.unpack %w layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7]> : tensor<8x10xi32> -> tensor<8x100xui4>
  return
}

// -----

//===----------------------------------------------------------------------===//
// lowbit.matmul
//===----------------------------------------------------------------------===//

func.func @matmul_input_rank(%x: tensor<64xf16>, %q: tensor<8x64xsi4>, %s: tensor<8x2xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op input must be [M, K] or [B, M, K], got rank 1}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 32], scale = f16> transpose_b
      : (tensor<64xf16>, tensor<8x64xsi4>, tensor<8x2xf16>) -> tensor<8xf16>
  return
}

// -----

func.func @matmul_weight_rank(%x: tensor<4x64xf16>, %q: tensor<2x8x64xsi4>, %s: tensor<2x8x2xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op weights must have rank 2, got rank 3}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 1, 32], scale = f16> transpose_b
      : (tensor<4x64xf16>, tensor<2x8x64xsi4>, tensor<2x8x2xf16>) -> tensor<4x8xf16>
  return
}

// -----

func.func @matmul_result_rank(%x: tensor<4x64xf16>, %q: tensor<8x64xsi4>, %s: tensor<8x2xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op result rank 3 must equal the input rank 2}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 32], scale = f16> transpose_b
      : (tensor<4x64xf16>, tensor<8x64xsi4>, tensor<8x2xf16>) -> tensor<1x4x8xf16>
  return
}

// -----

func.func @matmul_k(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op input reduction dimension 64 does not match K = 8 of the weights stored [N, K] (transpose_b)}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16> transpose_b
      : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>) -> tensor<4x64xf16>
  return
}

// -----

func.func @matmul_n(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op result dimension 16 does not match N = 8 of the weights stored [K, N]}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16>
      : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>) -> tensor<4x16xf16>
  return
}

// -----

func.func @matmul_m(%x: tensor<2x4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op result dimension 0 (3) does not match input dimension 0 (2)}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16>
      : (tensor<2x4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>) -> tensor<3x4x8xf16>
  return
}

// -----

func.func @matmul_acc(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op accumulator type must be f32 or f16, got 'bf16'}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16> acc(bf16)
      : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>) -> tensor<4x8xf16>
  return
}

// -----

func.func @matmul_bias_shape(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>, %b: tensor<4xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op bias must have shape [8], got [4]}}
  %y = lowbit.matmul %x, %q, %s bias %b scheme <group = [32, 1], scale = f16>
      : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>, tensor<4xf16>) -> tensor<4x8xf16>
  return
}

// -----

func.func @matmul_bias_type(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>, %b: tensor<8xf32>) {
  // expected-error @+1 {{'lowbit.matmul' op bias element type 'f32' must match the result element type 'f16'}}
  %y = lowbit.matmul %x, %q, %s bias %b scheme <group = [32, 1], scale = f16>
      : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>, tensor<8xf32>) -> tensor<4x8xf16>
  return
}

// -----

func.func @matmul_weight_groups(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<64x1xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op scales have shape [64, 1] but the scheme requires [2, 8] (weight shape [64, 8] divided by group [32, 1])}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16>
      : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<64x1xf16>) -> tensor<4x8xf16>
  return
}

// -----

//===----------------------------------------------------------------------===//
// lowbit.matmul epilogue
//===----------------------------------------------------------------------===//

func.func @epilogue_operand_shape(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>, %r: tensor<4x3xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op epilogue operand #0 has shape [4, 3] but must be [8] (broadcast over rows) or the result shape [4, 8]}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16> epilogue(%r : tensor<4x3xf16>) {
    ^bb0(%acc: f32, %e: f16):
      %t = arith.truncf %acc : f32 to f16
      lowbit.yield %t : f16
  } : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>, tensor<4x3xf16>) -> tensor<4x8xf16>
  return
}

// -----

func.func @epilogue_operand_row_shape(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>, %b: tensor<4xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op epilogue operand #0 has shape [4] but must be [8] (broadcast over rows) or the result shape [4, 8]}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16> epilogue(%b : tensor<4xf16>) {
    ^bb0(%acc: f32, %e: f16):
      %t = arith.truncf %acc : f32 to f16
      lowbit.yield %t : f16
  } : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>, tensor<4xf16>) -> tensor<4x8xf16>
  return
}

// -----

func.func @epilogue_operands_without_region(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>, %b: tensor<8xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op has epilogue operands but no epilogue region to use them}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16> epilogue(%b : tensor<8xf16>)
      : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>, tensor<8xf16>) -> tensor<4x8xf16>
  return
}

// -----

func.func @epilogue_argument_count(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>, %b: tensor<8xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op epilogue block must have 2 arguments (the accumulator, then one per epilogue operand), got 1}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16> epilogue(%b : tensor<8xf16>) {
    ^bb0(%acc: f32):
      %t = arith.truncf %acc : f32 to f16
      lowbit.yield %t : f16
  } : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>, tensor<8xf16>) -> tensor<4x8xf16>
  return
}

// -----

func.func @epilogue_accumulator_type(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op epilogue argument #0 must have the accumulator type 'f16', got 'f32'}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16> acc(f16) epilogue {
    ^bb0(%acc: f32):
      %t = arith.truncf %acc : f32 to f16
      lowbit.yield %t : f16
  } : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>) -> tensor<4x8xf16>
  return
}

// -----

func.func @epilogue_operand_argument_type(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>, %b: tensor<8xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op epilogue argument #1 must have the element type 'f16' of epilogue operand #0, got 'f32'}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16> epilogue(%b : tensor<8xf16>) {
    ^bb0(%acc: f32, %e: f32):
      %sum = arith.addf %acc, %e : f32
      %t = arith.truncf %sum : f32 to f16
      lowbit.yield %t : f16
  } : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>, tensor<8xf16>) -> tensor<4x8xf16>
  return
}

// -----

func.func @epilogue_yield_type(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op epilogue yields 'f32' but the result element type is 'f16'}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16> epilogue {
    ^bb0(%acc: f32):
      // expected-note @+1 {{yielded here}}
      lowbit.yield %acc : f32
  } : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>) -> tensor<4x8xf16>
  return
}

// -----

func.func @epilogue_foreign_op(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op epilogue op 'tensor.empty' is not allowed: an epilogue holds only arith and math ops}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16> epilogue {
    ^bb0(%acc: f32):
      // expected-note @+1 {{see the op here}}
      %e = tensor.empty() : tensor<4xf32>
      %t = arith.truncf %acc : f32 to f16
      lowbit.yield %t : f16
  } : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>) -> tensor<4x8xf16>
  return
}

// -----

// Side effects: only arith and math ops, which have none, are allowed.
func.func @epilogue_side_effect(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op epilogue op 'memref.alloca' is not allowed: an epilogue holds only arith and math ops}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16> epilogue {
    ^bb0(%acc: f32):
      // expected-note @+1 {{see the op here}}
      %buf = memref.alloca() : memref<f32>
      memref.store %acc, %buf[] : memref<f32>
      %t = arith.truncf %acc : f32 to f16
      lowbit.yield %t : f16
  } : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>) -> tensor<4x8xf16>
  return
}

// -----

func.func @epilogue_non_scalar(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>) {
  // expected-error @+1 {{'lowbit.matmul' op epilogue op 'arith.constant' is not allowed: it has a value of non-scalar type 'tensor<4xf32>'}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16> epilogue {
    ^bb0(%acc: f32):
      // expected-note @+1 {{see the op here}}
      %c = arith.constant dense<1.0> : tensor<4xf32>
      %t = arith.truncf %acc : f32 to f16
      lowbit.yield %t : f16
  } : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>) -> tensor<4x8xf16>
  return
}

// -----

func.func @epilogue_from_above(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>, %c: f32) {
  // expected-note @+1 {{required by region isolation constraints}}
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16> epilogue {
    ^bb0(%acc: f32):
      // expected-error @+1 {{'arith.addf' op using value defined outside the region}}
      %sum = arith.addf %acc, %c : f32
      %t = arith.truncf %sum : f32 to f16
      lowbit.yield %t : f16
  } : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>) -> tensor<4x8xf16>
  return
}

// -----

func.func @epilogue_type_mismatch(%x: tensor<4x64xf16>, %q: tensor<64x8xsi4>, %s: tensor<2x8xf16>, %b: tensor<8xf16>) {
  %y = lowbit.matmul %x, %q, %s scheme <group = [32, 1], scale = f16> epilogue(%b : tensor<8xf16>) {
    ^bb0(%acc: f32, %e: f16):
      %t = arith.truncf %acc : f32 to f16
      lowbit.yield %t : f16
  // expected-error @+1 {{the functional type gives the epilogue operands types ('tensor<8xf32>') that differ from their types in the epilogue group ('tensor<8xf16>')}}
  } : (tensor<4x64xf16>, tensor<64x8xsi4>, tensor<2x8xf16>, tensor<8xf32>) -> tensor<4x8xf16>
  return
}

// -----

func.func @yield_outside_matmul(%v: f16) {
  // expected-error @+1 {{'lowbit.yield' op expects parent op 'lowbit.matmul'}}
  lowbit.yield %v : f16
}

// -----

func.func @packed_needs_transpose(%x: tensor<1x64xf32>, %p: tensor<64x1xi32>, %s: tensor<1x1xf32>) {
  // expected-error @+1 {{'lowbit.matmul' op packed weights must be stored [N, K] (transpose_b)}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [64, 1], scale = f32> packed si4 layout <bits = 4, word = 32>
      : (tensor<1x64xf32>, tensor<64x1xi32>, tensor<1x1xf32>) -> tensor<1x1xf32>
  return
}

// -----

func.func @packed_width(%x: tensor<1x64xf32>, %p: tensor<8x8xi32>, %s: tensor<8x1xf32>) {
  // expected-error @+1 {{'lowbit.matmul' op layout packs 4-bit codes but 'si3' codes are 3 bits wide}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f32> transpose_b packed si3 layout <bits = 4, word = 32>
      : (tensor<1x64xf32>, tensor<8x8xi32>, tensor<8x1xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @packed_word(%x: tensor<1x64xf32>, %p: tensor<8x16xi16>, %s: tensor<8x1xf32>) {
  // expected-error @+1 {{'lowbit.matmul' op packed weights must be i32 words of the layout, got 'i16'}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f32> transpose_b packed si4 layout <bits = 4, word = 32>
      : (tensor<1x64xf32>, tensor<8x16xi16>, tensor<8x1xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @packed_words_per_row(%x: tensor<1x64xf32>, %p: tensor<8x9xi32>, %s: tensor<8x1xf32>) {
  // expected-error @+1 {{'lowbit.matmul' op packed weights have 9 words per row but K = 64 packs into 8}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f32> transpose_b packed si4 layout <bits = 4, word = 32>
      : (tensor<1x64xf32>, tensor<8x9xi32>, tensor<8x1xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @packed_half(%x: tensor<1x64xf32>, %p: tensor<8x8xi32>, %s: tensor<8x1xf32>) {
  // expected-error @+1 {{'lowbit.matmul' op packed weights need both a layout and a weight type}}
  %y = "lowbit.matmul"(%x, %p, %s) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0>, scheme = #lowbit.scheme<group = [1, 64], scale = f32>, transposeB, layout = #lowbit.layout<bits = 4, word = 32>}> ({})
      : (tensor<1x64xf32>, tensor<8x8xi32>, tensor<8x1xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @unpacked_words(%x: tensor<1x64xf32>, %p: tensor<8x64xi32>, %s: tensor<8x1xf32>) {
  // expected-error @+1 {{'lowbit.matmul' op weights must have a low-bit element type unless packed, got 'i32'}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f32> transpose_b
      : (tensor<1x64xf32>, tensor<8x64xi32>, tensor<8x1xf32>) -> tensor<1x8xf32>
  return
}

//===----------------------------------------------------------------------===//
// Shapes too large to address: rejected before any size is computed
//===----------------------------------------------------------------------===//

// -----

func.func @pack_too_large(%c: tensor<2x4611686018427387904xui3>) {
  // expected-error @+1 {{'lowbit.pack' op code tensor shape [2, 4611686018427387904] has more than 2^56 elements; sizes of packed codes that large overflow 64 bits}}
  %w = lowbit.pack %c layout <bits = 3, word = 32> : tensor<2x4611686018427387904xui3> -> tensor<2x1xi32>
  return
}

// -----

func.func @unpack_too_large(%w: tensor<1099511627776x1xi32>) {
  // expected-error @+1 {{'lowbit.unpack' op code tensor shape [1099511627776, 1099511627776] has more than 2^56 elements; sizes of packed codes that large overflow 64 bits}}
  %c = lowbit.unpack %w layout <bits = 4, word = 32> : tensor<1099511627776x1xi32> -> tensor<1099511627776x1099511627776xui4>
  return
}

// -----

func.func @dequantize_too_large(%q: tensor<?x72057594037927937xui4>, %s: tensor<?x72057594037927937xf16>) {
  // expected-error @+1 {{'lowbit.dequantize' op input shape [?, 72057594037927937] has more than 2^56 elements; sizes of packed codes that large overflow 64 bits}}
  %w = lowbit.dequantize %q, %s scheme <group = [1, 1], scale = f16>
      : (tensor<?x72057594037927937xui4>, tensor<?x72057594037927937xf16>) -> tensor<?x72057594037927937xf32>
  return
}

// -----

func.func @matmul_packed_k_too_large(%x: tensor<1x4611686018427387904xf32>, %p: tensor<8x8xi32>, %s: tensor<8x1xf32>) {
  // expected-error @+1 {{'lowbit.matmul' op input shape [1, 4611686018427387904] has more than 2^56 elements; sizes of packed codes that large overflow 64 bits}}
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 4611686018427387904], scale = f32> transpose_b packed si4 layout <bits = 4, word = 32>
      : (tensor<1x4611686018427387904xf32>, tensor<8x8xi32>, tensor<8x1xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @matmul_weights_too_large(%x: tensor<1x1073741824xf32>, %w: tensor<1073741824x1073741824xsi4>, %s: tensor<1073741824x1xf32>) {
  // expected-error @+1 {{'lowbit.matmul' op weight shape [1073741824, 1073741824] has more than 2^56 elements; sizes of packed codes that large overflow 64 bits}}
  %y = lowbit.matmul %x, %w, %s scheme <group = [1, 1073741824], scale = f32> transpose_b
      : (tensor<1x1073741824xf32>, tensor<1073741824x1073741824xsi4>, tensor<1073741824x1xf32>) -> tensor<1x1073741824xf32>
  return
}

// -----

func.func @matmul_unknown_strategy(%x: tensor<1x64xf32>, %w: tensor<8x64xsi4>, %s: tensor<8x1xf32>) {
  // expected-error @+2 {{strategy 'int4_dot' is not one of dequant, int8_dot, lut, bf16_dot}}
  %y = lowbit.matmul %x, %w, %s scheme <group = [1, 64], scale = f32> transpose_b
      strategy int4_dot
      : (tensor<1x64xf32>, tensor<8x64xsi4>, tensor<8x1xf32>) -> tensor<1x8xf32>
  return
}

// -----

// expected-error @+1 {{layout 'planes = 32' is a bit-plane layout and takes no 'lanes', 'order' or 'aligned'}}
func.func private @planes_and_lanes() attributes {l = #lowbit.layout<bits = 2, word = 32, aligned, lanes = 8, planes = 32>}

// -----

func.func @lut_group_not_a_power_of_two(%x: tensor<1x64xf32>, %w: tensor<8x64xsi4>, %s: tensor<8x1xf32>) {
  // expected-error @+2 {{lut 'group = 3' must be 1, 2, 4 or 8 (tables split a byte of weight bits evenly)}}
  %y = lowbit.matmul %x, %w, %s scheme <group = [1, 64], scale = f32> transpose_b
      strategy lut<group = 3>
      : (tensor<1x64xf32>, tensor<8x64xsi4>, tensor<8x1xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @lut_unknown_option(%x: tensor<1x64xf32>, %w: tensor<8x64xsi4>, %s: tensor<8x1xf32>) {
  // expected-error @+2 {{lut takes 'group' and 'exact', not 'width'}}
  %y = lowbit.matmul %x, %w, %s scheme <group = [1, 64], scale = f32> transpose_b
      strategy lut<width = 3>
      : (tensor<1x64xf32>, tensor<8x64xsi4>, tensor<8x1xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @lut_options_without_lut(%x: tensor<1x64xf32>, %w: tensor<8x64xsi4>, %s: tensor<8x1xf32>) {
  // expected-error @+1 {{'lowbit.matmul' op lut table options #lowbit.lut<group = 2, exact = true> need strategy lut}}
  %y = "lowbit.matmul"(%x, %w, %s) <{lut = #lowbit.lut<group = 2, exact = true>, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0>, scheme = #lowbit.scheme<group = [1, 64], scale = f32>, strategy = #lowbit.strategy<dequant>, transposeB}> ({
      })
      : (tensor<1x64xf32>, tensor<8x64xsi4>, tensor<8x1xf32>) -> tensor<1x8xf32>
  return
}
