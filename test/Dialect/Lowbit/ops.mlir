// RUN: lowbit-opt %s | lowbit-opt | FileCheck %s
// RUN: lowbit-opt %s --mlir-print-op-generic | lowbit-opt | FileCheck %s
// RUN: lowbit-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func private @float_codes
// CHECK-SAME: tensor<4x!lowbit.float<e3m0>>
// CHECK-SAME: tensor<4x!lowbit.float<e2m2>>
// CHECK-SAME: tensor<4x!lowbit.float<e1m2>>
// CHECK-SAME: tensor<4x!lowbit.float<e4m3, ieee>>
// CHECK-SAME: tensor<4x!lowbit.float<e4m3>>
// CHECK-SAME: tensor<4x!lowbit.float<e5m2>>
// CHECK-SAME: tensor<4x!lowbit.float<e3m2, bias = 2>>
// CHECK-SAME: tensor<4x!lowbit.float<e2m1, fn>>
// CHECK-SAME: tensor<4x!lowbit.float<e3m3>>
// CHECK-SAME: tensor<4x!lowbit.float<e3m3, finite>>
func.func private @float_codes(
    tensor<4x!lowbit.float<e3m0>>, tensor<4x!lowbit.float<e2m2, finite>>,
    tensor<4x!lowbit.float<e1m2>>, tensor<4x!lowbit.float<e4m3, ieee>>,
    tensor<4x!lowbit.float<e4m3, fn>>, tensor<4x!lowbit.float<e5m2, ieee>>,
    tensor<4x!lowbit.float<e3m2, finite, bias = 2>>,
    tensor<4x!lowbit.float<e2m1, fn>>, tensor<4x!lowbit.float<e3m3>>,
    tensor<4x!lowbit.float<e3m3, finite>>)

// CHECK-LABEL: func.func private @codebooks
// CHECK-SAME: tensor<4x!lowbit.codebook<nf4>>
// CHECK-SAME: tensor<4x!lowbit.codebook<2, [-1.500000e+00, -5.000000e-01, 5.000000e-01, 1.500000e+00]>>
// CHECK-SAME: tensor<4x!lowbit.codebook<1, [-2.500000e-01, 7.500000e-01]>>
// CHECK-SAME: tensor<4x!lowbit.ternary>
func.func private @codebooks(
    tensor<4x!lowbit.codebook<nf4>>,
    tensor<4x!lowbit.codebook<2, [-1.5, -0.5, 0.5, 1.5]>>,
    tensor<4x!lowbit.codebook<1, [-0.25, 0.75]>>, tensor<4x!lowbit.ternary>)

//===----------------------------------------------------------------------===//
// lowbit.constant
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @constants
func.func @constants() -> (tensor<3x!lowbit.float<e3m0>>, tensor<2x2x!lowbit.ternary>,
                           tensor<2x!lowbit.codebook<nf4>>) {
  // CHECK: lowbit.constant dense<[0, 1, 15]> : tensor<3xui8> as tensor<3x!lowbit.float<e3m0>>
  %0 = lowbit.constant dense<[0, 1, 15]> : tensor<3xui8> as tensor<3x!lowbit.float<e3m0>>
  // CHECK: lowbit.constant dense<{{\[\[}}0, 1], [2, 1]]> : tensor<2x2xui8> as tensor<2x2x!lowbit.ternary>
  %1 = lowbit.constant dense<[[0, 1], [2, 1]]> : tensor<2x2xui8> as tensor<2x2x!lowbit.ternary>
  // CHECK: lowbit.constant dense<7> : tensor<2xui8> as tensor<2x!lowbit.codebook<nf4>>
  %2 = lowbit.constant dense<7> : tensor<2xui8> as tensor<2x!lowbit.codebook<nf4>>
  return %0, %1, %2 : tensor<3x!lowbit.float<e3m0>>, tensor<2x2x!lowbit.ternary>, tensor<2x!lowbit.codebook<nf4>>
}
// GENERIC: "lowbit.constant"() <{value = #lowbit.codes<dense<[0, 1, 15]> : tensor<3xui8>> : tensor<3x!lowbit.float<e3m0>>}>

//===----------------------------------------------------------------------===//
// lowbit.quantize / lowbit.dequantize, one per zero mode and scale type
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @quantize_int4_int_zero
// CHECK-SAME: (%[[X:.*]]: tensor<8x256xf32>, %[[S:.*]]: tensor<8x2xf16>, %[[Z:.*]]: tensor<8x2xui4>)
func.func @quantize_int4_int_zero(%x: tensor<8x256xf32>, %s: tensor<8x2xf16>,
                                  %z: tensor<8x2xui4>) -> tensor<8x256xf32> {
  // CHECK: %[[Q:.*]] = lowbit.quantize %[[X]], %[[S]] zeros %[[Z]] scheme <group = [1, 128], scale = f16, zero = int> : (tensor<8x256xf32>, tensor<8x2xf16>, tensor<8x2xui4>) -> tensor<8x256xui4>
  %q = lowbit.quantize %x, %s zeros %z scheme <group = [1, 128], scale = f16, zero = int>
      : (tensor<8x256xf32>, tensor<8x2xf16>, tensor<8x2xui4>) -> tensor<8x256xui4>
  // CHECK: lowbit.dequantize %[[Q]], %[[S]] zeros %[[Z]] scheme <group = [1, 128], scale = f16, zero = int> : (tensor<8x256xui4>, tensor<8x2xf16>, tensor<8x2xui4>) -> tensor<8x256xf32>
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [1, 128], scale = f16, zero = int>
      : (tensor<8x256xui4>, tensor<8x2xf16>, tensor<8x2xui4>) -> tensor<8x256xf32>
  return %w : tensor<8x256xf32>
}
// GENERIC: "lowbit.quantize"(%{{.*}}, %{{.*}}, %{{.*}}) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0>, scheme = #lowbit.scheme<group = [1, 128], scale = f16, zero = int>}>

// CHECK-LABEL: func.func @dequantize_float_zero_bf16
// CHECK: lowbit.dequantize %{{.*}}, %{{.*}} zeros %{{.*}} scheme <group = [1, 64], scale = bf16, zero = float> : (tensor<4x128xsi3>, tensor<4x2xbf16>, tensor<4x2xbf16>) -> tensor<4x128xbf16>
func.func @dequantize_float_zero_bf16(%q: tensor<4x128xsi3>, %s: tensor<4x2xbf16>,
                                      %z: tensor<4x2xbf16>) -> tensor<4x128xbf16> {
  %w = lowbit.dequantize %q, %s zeros %z scheme <group = [1, 64], scale = bf16, zero = float>
      : (tensor<4x128xsi3>, tensor<4x2xbf16>, tensor<4x2xbf16>) -> tensor<4x128xbf16>
  return %w : tensor<4x128xbf16>
}

// CHECK-LABEL: func.func @dequantize_asym_fp
// CHECK: lowbit.dequantize %{{.*}}, %{{.*}} neg_scales %{{.*}} scheme <group = [1, 32], scale = f32, zero = asym_fp> : (tensor<2x64x!lowbit.float<e2m2>>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x64xf32>
func.func @dequantize_asym_fp(%q: tensor<2x64x!lowbit.float<e2m2>>, %s: tensor<2x2xf32>,
                              %sn: tensor<2x2xf32>) -> tensor<2x64xf32> {
  %w = lowbit.dequantize %q, %s neg_scales %sn scheme <group = [1, 32], scale = f32, zero = asym_fp>
      : (tensor<2x64x!lowbit.float<e2m2>>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x64xf32>
  return %w : tensor<2x64xf32>
}

// CHECK-LABEL: func.func @dequantize_mxfp4
// CHECK: lowbit.dequantize %{{.*}}, %{{.*}} scheme <group = [1, 32], scale = f8E8M0FNU> : (tensor<16x64xf4E2M1FN>, tensor<16x2xf8E8M0FNU>) -> tensor<16x64xf16>
func.func @dequantize_mxfp4(%q: tensor<16x64xf4E2M1FN>, %s: tensor<16x2xf8E8M0FNU>) -> tensor<16x64xf16> {
  %w = lowbit.dequantize %q, %s scheme <group = [1, 32], scale = f8E8M0FNU>
      : (tensor<16x64xf4E2M1FN>, tensor<16x2xf8E8M0FNU>) -> tensor<16x64xf16>
  return %w : tensor<16x64xf16>
}

// CHECK-LABEL: func.func @quantize_nvfp4
// CHECK: lowbit.quantize %{{.*}}, %{{.*}} tensor_scale %{{.*}} scheme <group = [1, 16], scale = f8E4M3FN, tensor_scale = f32> : (tensor<16x64xf32>, tensor<16x4xf8E4M3FN>, tensor<f32>) -> tensor<16x64xf4E2M1FN>
func.func @quantize_nvfp4(%x: tensor<16x64xf32>, %s: tensor<16x4xf8E4M3FN>,
                          %t: tensor<f32>) -> tensor<16x64xf4E2M1FN> {
  %q = lowbit.quantize %x, %s tensor_scale %t scheme <group = [1, 16], scale = f8E4M3FN, tensor_scale = f32>
      : (tensor<16x64xf32>, tensor<16x4xf8E4M3FN>, tensor<f32>) -> tensor<16x64xf4E2M1FN>
  return %q : tensor<16x64xf4E2M1FN>
}

// CHECK-LABEL: func.func @quantize_other_elements
// CHECK: scheme <group = [4, 16], scale = f32> : (tensor<8x32xf32>, tensor<2x2xf32>) -> tensor<8x32x!lowbit.codebook<nf4>>
// CHECK: scheme <group = [1, 32], scale = f32> : (tensor<8x32xf32>, tensor<8x1xf32>) -> tensor<8x32x!lowbit.ternary>
// CHECK: scheme <group = [8, 32], scale = f16> : (tensor<8x32xf16>, tensor<1x1xf16>) -> tensor<8x32xf6E3M2FN>
// CHECK: scheme <group = [1, 8], scale = f32> : (tensor<8x32xf64>, tensor<8x4xf32>) -> tensor<8x32xf8E4M3FN>
// CHECK: scheme <group = [1, 8], scale = f32> : (tensor<8x32xf32>, tensor<8x4xf32>) -> tensor<8x32xf8E5M2>
// CHECK: scheme <group = [1, 8], scale = f32> : (tensor<8x32xf32>, tensor<8x4xf32>) -> tensor<8x32xf6E2M3FN>
// CHECK: scheme <group = [1, 8], scale = f32> : (tensor<8x32xf32>, tensor<8x4xf32>) -> tensor<8x32xi1>
func.func @quantize_other_elements(%x: tensor<8x32xf32>, %x16: tensor<8x32xf16>, %x64: tensor<8x32xf64>,
                                   %s22: tensor<2x2xf32>, %s81: tensor<8x1xf32>, %s11: tensor<1x1xf16>,
                                   %s84: tensor<8x4xf32>) {
  %0 = lowbit.quantize %x, %s22 scheme <group = [4, 16], scale = f32>
      : (tensor<8x32xf32>, tensor<2x2xf32>) -> tensor<8x32x!lowbit.codebook<nf4>>
  %1 = lowbit.quantize %x, %s81 scheme <group = [1, 32], scale = f32>
      : (tensor<8x32xf32>, tensor<8x1xf32>) -> tensor<8x32x!lowbit.ternary>
  %2 = lowbit.quantize %x16, %s11 scheme <group = [8, 32], scale = f16>
      : (tensor<8x32xf16>, tensor<1x1xf16>) -> tensor<8x32xf6E3M2FN>
  %3 = lowbit.quantize %x64, %s84 scheme <group = [1, 8], scale = f32>
      : (tensor<8x32xf64>, tensor<8x4xf32>) -> tensor<8x32xf8E4M3FN>
  %4 = lowbit.quantize %x, %s84 scheme <group = [1, 8], scale = f32>
      : (tensor<8x32xf32>, tensor<8x4xf32>) -> tensor<8x32xf8E5M2>
  %5 = lowbit.quantize %x, %s84 scheme <group = [1, 8], scale = f32>
      : (tensor<8x32xf32>, tensor<8x4xf32>) -> tensor<8x32xf6E2M3FN>
  %6 = lowbit.quantize %x, %s84 scheme <group = [1, 8], scale = f32>
      : (tensor<8x32xf32>, tensor<8x4xf32>) -> tensor<8x32xi1>
  return
}

// CHECK-LABEL: func.func @dynamic_rows
// CHECK: lowbit.dequantize %{{.*}}, %{{.*}} scheme <group = [1, 32], scale = f16> : (tensor<?x64xsi4>, tensor<?x2xf16>) -> tensor<?x64xf32>
func.func @dynamic_rows(%q: tensor<?x64xsi4>, %s: tensor<?x2xf16>) -> tensor<?x64xf32> {
  %w = lowbit.dequantize %q, %s scheme <group = [1, 32], scale = f16>
      : (tensor<?x64xsi4>, tensor<?x2xf16>) -> tensor<?x64xf32>
  return %w : tensor<?x64xf32>
}

//===----------------------------------------------------------------------===//
// lowbit.pack / lowbit.unpack
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @pack_unpack
func.func @pack_unpack(%q4: tensor<8x100xui4>, %q3: tensor<8x100xsi3>,
                       %qt: tensor<8x7x!lowbit.ternary>) {
  // CHECK: lowbit.pack %{{.*}} layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7]> : tensor<8x100xui4> -> tensor<8x13xi32>
  %p4 = lowbit.pack %q4 layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7]>
      : tensor<8x100xui4> -> tensor<8x13xi32>
  // CHECK: lowbit.unpack %{{.*}} layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7]> : tensor<8x13xi32> -> tensor<8x100xui4>
  %u4 = lowbit.unpack %p4 layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7]>
      : tensor<8x13xi32> -> tensor<8x100xui4>
  // CHECK: lowbit.pack %{{.*}} layout <bits = 3, word = 32> : tensor<8x100xsi3> -> tensor<8x10xi32>
  %p3 = lowbit.pack %q3 layout <bits = 3, word = 32> : tensor<8x100xsi3> -> tensor<8x10xi32>
  // CHECK: lowbit.pack %{{.*}} layout <bits = 2, word = 8> : tensor<8x7x!lowbit.ternary> -> tensor<8x2xi8>
  %pt = lowbit.pack %qt layout <bits = 2, word = 8> : tensor<8x7x!lowbit.ternary> -> tensor<8x2xi8>
  // CHECK: lowbit.pack %{{.*}} layout <bits = 3, word = 32, aligned, lanes = 16> : tensor<8x100xsi3> -> tensor<8x16xi32>
  %l3 = lowbit.pack %q3 layout <bits = 3, word = 32, aligned, lanes = 16> : tensor<8x100xsi3> -> tensor<8x16xi32>
  // CHECK: lowbit.pack %{{.*}} layout <bits = 3, word = 32, stripe = 2, chunk = 32, piece = 1> : tensor<8x100xsi3> -> tensor<8x10xi32>
  %s3 = lowbit.pack %q3 layout <bits = 3, word = 32, stripe = 2, chunk = 32, piece = 1> : tensor<8x100xsi3> -> tensor<8x10xi32>
  // CHECK: lowbit.pack %{{.*}} layout <bits = 3, word = 8, aligned, order = [1, 0]> : tensor<8x100xsi3> -> tensor<8x50xi8>
  %a3 = lowbit.pack %q3 layout <bits = 3, word = 8, aligned, order = [1, 0]> : tensor<8x100xsi3> -> tensor<8x50xi8>
  // CHECK: lowbit.unpack %{{.*}} layout <bits = 3, word = 64> : tensor<8x5xi64> -> tensor<8x100xsi3>
  %w64 = arith.constant dense<0> : tensor<8x5xi64>
  %u3 = lowbit.unpack %w64 layout <bits = 3, word = 64> : tensor<8x5xi64> -> tensor<8x100xsi3>
  return
}

//===----------------------------------------------------------------------===//
// lowbit.matmul
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul_gptq
// CHECK: lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} zeros %{{.*}} scheme <group = [1, 128], scale = f16, zero = int> transpose_b : (tensor<16x4096xf16>, tensor<1024x4096xui4>, tensor<1024x32xf16>, tensor<1024x32xui4>) -> tensor<16x1024xf16>
func.func @matmul_gptq(%x: tensor<16x4096xf16>, %q: tensor<1024x4096xui4>,
                       %s: tensor<1024x32xf16>, %z: tensor<1024x32xui4>) -> tensor<16x1024xf16> {
  %y = lowbit.matmul %x, %q, %s zeros %z scheme <group = [1, 128], scale = f16, zero = int> transpose_b
      : (tensor<16x4096xf16>, tensor<1024x4096xui4>, tensor<1024x32xf16>, tensor<1024x32xui4>) -> tensor<16x1024xf16>
  return %y : tensor<16x1024xf16>
}

// CHECK-LABEL: func.func @matmul_kn_bias_acc
// CHECK: lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} scheme <group = [64, 1], scale = bf16> acc(f16) : (tensor<1x256xbf16>, tensor<256x512xsi2>, tensor<4x512xbf16>, tensor<512xbf16>) -> tensor<1x512xbf16>
func.func @matmul_kn_bias_acc(%x: tensor<1x256xbf16>, %q: tensor<256x512xsi2>,
                              %s: tensor<4x512xbf16>, %b: tensor<512xbf16>) -> tensor<1x512xbf16> {
  %y = lowbit.matmul %x, %q, %s bias %b scheme <group = [64, 1], scale = bf16> acc(f16)
      : (tensor<1x256xbf16>, tensor<256x512xsi2>, tensor<4x512xbf16>, tensor<512xbf16>) -> tensor<1x512xbf16>
  return %y : tensor<1x512xbf16>
}

// CHECK-LABEL: func.func @matmul_batched_nvfp4
// CHECK: lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} tensor_scale %{{.*}} scheme <group = [1, 16], scale = f8E4M3FN, tensor_scale = f32> transpose_b : (tensor<2x8x64xf32>, tensor<32x64xf4E2M1FN>, tensor<32x4xf8E4M3FN>, tensor<f32>) -> tensor<2x8x32xf32>
func.func @matmul_batched_nvfp4(%x: tensor<2x8x64xf32>, %q: tensor<32x64xf4E2M1FN>,
                                %s: tensor<32x4xf8E4M3FN>, %t: tensor<f32>) -> tensor<2x8x32xf32> {
  %y = lowbit.matmul %x, %q, %s tensor_scale %t scheme <group = [1, 16], scale = f8E4M3FN, tensor_scale = f32> transpose_b
      : (tensor<2x8x64xf32>, tensor<32x64xf4E2M1FN>, tensor<32x4xf8E4M3FN>, tensor<f32>) -> tensor<2x8x32xf32>
  return %y : tensor<2x8x32xf32>
}

// CHECK-LABEL: func.func @matmul_asym_fp
// CHECK: lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} neg_scales %{{.*}} scheme <group = [1, 32], scale = f16, zero = asym_fp> transpose_b : (tensor<4x64xf16>, tensor<8x64x!lowbit.float<e2m2>>, tensor<8x2xf16>, tensor<8x2xf16>) -> tensor<4x8xf32>
// GENERIC: "lowbit.matmul"(%{{.*}}) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 1, 0, 0, 0>, scheme = #lowbit.scheme<group = [1, 32], scale = f16, zero = asym_fp>, transposeB}>
func.func @matmul_asym_fp(%x: tensor<4x64xf16>, %q: tensor<8x64x!lowbit.float<e2m2>>,
                          %s: tensor<8x2xf16>, %sn: tensor<8x2xf16>) -> tensor<4x8xf32> {
  %y = lowbit.matmul %x, %q, %s neg_scales %sn scheme <group = [1, 32], scale = f16, zero = asym_fp> transpose_b
      : (tensor<4x64xf16>, tensor<8x64x!lowbit.float<e2m2>>, tensor<8x2xf16>, tensor<8x2xf16>) -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}

// CHECK-LABEL: func.func @matmul_codebook_float_zero
// CHECK: lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} zeros %{{.*}} scheme <group = [1, 64], scale = f32, zero = float> transpose_b : (tensor<3x64xf32>, tensor<5x64x!lowbit.codebook<nf4>>, tensor<5x1xf32>, tensor<5x1xf32>) -> tensor<3x5xf32>
func.func @matmul_codebook_float_zero(%x: tensor<3x64xf32>, %q: tensor<5x64x!lowbit.codebook<nf4>>,
                                      %s: tensor<5x1xf32>, %z: tensor<5x1xf32>) -> tensor<3x5xf32> {
  %y = lowbit.matmul %x, %q, %s zeros %z scheme <group = [1, 64], scale = f32, zero = float> transpose_b
      : (tensor<3x64xf32>, tensor<5x64x!lowbit.codebook<nf4>>, tensor<5x1xf32>, tensor<5x1xf32>) -> tensor<3x5xf32>
  return %y : tensor<3x5xf32>
}

//===----------------------------------------------------------------------===//
// lowbit.matmul epilogues
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul_epilogue_bias_silu_residual
// CHECK-SAME: (%[[X:.*]]: tensor<4x64xf16>, %[[Q:.*]]: tensor<8x64xsi4>, %[[S:.*]]: tensor<8x2xf16>, %[[B:.*]]: tensor<8xf16>, %[[R:.*]]: tensor<4x8xf16>)
// CHECK: lowbit.matmul %[[X]], %[[Q]], %[[S]] scheme <group = [1, 32], scale = f16> transpose_b epilogue(%[[B]], %[[R]] : tensor<8xf16>, tensor<4x8xf16>) {
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f32, %[[BE:.*]]: f16, %[[RE:.*]]: f16):
// CHECK-NEXT:   %[[BW:.*]] = arith.extf %[[BE]] : f16 to f32
// CHECK-NEXT:   %[[H:.*]] = arith.addf %[[ACC]], %[[BW]] : f32
// CHECK-NEXT:   %[[NEG:.*]] = arith.negf %[[H]] : f32
// CHECK-NEXT:   %[[EXP:.*]] = math.exp %[[NEG]] : f32
// CHECK-NEXT:   %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:   %[[DEN:.*]] = arith.addf %[[ONE]], %[[EXP]] : f32
// CHECK-NEXT:   %[[SILU:.*]] = arith.divf %[[H]], %[[DEN]] : f32
// CHECK-NEXT:   %[[T:.*]] = arith.truncf %[[SILU]] : f32 to f16
// CHECK-NEXT:   %[[SUM:.*]] = arith.addf %[[T]], %[[RE]] : f16
// CHECK-NEXT:   lowbit.yield %[[SUM]] : f16
// CHECK-NEXT: } : (tensor<4x64xf16>, tensor<8x64xsi4>, tensor<8x2xf16>, tensor<8xf16>, tensor<4x8xf16>) -> tensor<4x8xf16>
// GENERIC: "lowbit.matmul"(%{{.*}}) <{operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 2>, scheme = #lowbit.scheme<group = [1, 32], scale = f16>, transposeB}> ({
// GENERIC: "lowbit.yield"(%{{.*}}) : (f16) -> ()
func.func @matmul_epilogue_bias_silu_residual(%x: tensor<4x64xf16>, %q: tensor<8x64xsi4>, %s: tensor<8x2xf16>,
                                              %b: tensor<8xf16>, %r: tensor<4x8xf16>) -> tensor<4x8xf16> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 32], scale = f16> transpose_b
      epilogue(%b, %r : tensor<8xf16>, tensor<4x8xf16>) {
    ^bb0(%acc: f32, %bias: f16, %res: f16):
      %bw = arith.extf %bias : f16 to f32
      %h = arith.addf %acc, %bw : f32
      %neg = arith.negf %h : f32
      %exp = math.exp %neg : f32
      %one = arith.constant 1.0 : f32
      %den = arith.addf %one, %exp : f32
      %silu = arith.divf %h, %den : f32
      %t = arith.truncf %silu : f32 to f16
      %sum = arith.addf %t, %res : f16
      lowbit.yield %sum : f16
  } : (tensor<4x64xf16>, tensor<8x64xsi4>, tensor<8x2xf16>, tensor<8xf16>, tensor<4x8xf16>) -> tensor<4x8xf16>
  return %y : tensor<4x8xf16>
}

// A region without epilogue operands; `epilogue()` is accepted and printed as
// `epilogue`.
// CHECK-LABEL: func.func @matmul_epilogue_no_operands
// CHECK: lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} bias %{{.*}} scheme <group = [64, 1], scale = bf16> acc(f16) epilogue {
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f16):
// CHECK-NEXT:   %[[HALF:.*]] = arith.constant 5.000000e-01 : f16
// CHECK-NEXT:   %[[SCALED:.*]] = arith.mulf %[[ACC]], %[[HALF]] : f16
// CHECK-NEXT:   %[[WIDE:.*]] = arith.extf %[[SCALED]] : f16 to f32
// CHECK-NEXT:   lowbit.yield %[[WIDE]] : f32
// CHECK-NEXT: } : (tensor<1x256xbf16>, tensor<256x512xsi2>, tensor<4x512xbf16>, tensor<512xf32>) -> tensor<1x512xf32>
// CHECK: lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} scheme <group = [64, 1], scale = bf16> epilogue {
// CHECK: } : (tensor<1x256xbf16>, tensor<256x512xsi2>, tensor<4x512xbf16>) -> tensor<1x512xbf16>
// GENERIC: "lowbit.matmul"(%{{.*}}) <{acc = f16, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 1, 0>, scheme = #lowbit.scheme<group = [64, 1], scale = bf16>}> ({
func.func @matmul_epilogue_no_operands(%x: tensor<1x256xbf16>, %q: tensor<256x512xsi2>,
                                       %s: tensor<4x512xbf16>, %b: tensor<512xf32>)
    -> (tensor<1x512xf32>, tensor<1x512xbf16>) {
  %y = lowbit.matmul %x, %q, %s bias %b scheme <group = [64, 1], scale = bf16> acc(f16) epilogue {
    ^bb0(%acc: f16):
      %half = arith.constant 0.5 : f16
      %scaled = arith.mulf %acc, %half : f16
      %wide = arith.extf %scaled : f16 to f32
      lowbit.yield %wide : f32
  } : (tensor<1x256xbf16>, tensor<256x512xsi2>, tensor<4x512xbf16>, tensor<512xf32>) -> tensor<1x512xf32>
  %z = lowbit.matmul %x, %q, %s scheme <group = [64, 1], scale = bf16> epilogue() {
    ^bb0(%acc: f32):
      %r = arith.truncf %acc : f32 to bf16
      lowbit.yield %r : bf16
  } : (tensor<1x256xbf16>, tensor<256x512xsi2>, tensor<4x512xbf16>) -> tensor<1x512xbf16>
  return %y, %z : tensor<1x512xf32>, tensor<1x512xbf16>
}

// Batched input: operands of shape [N] and [B, M, N], integer element types,
// and a dynamic batch.
// CHECK-LABEL: func.func @matmul_epilogue_batched
// CHECK: lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} tensor_scale %{{.*}} scheme <group = [1, 16], scale = f8E4M3FN, tensor_scale = f32> transpose_b epilogue(%{{.*}}, %{{.*}} : tensor<32xi1>, tensor<?x8x32xf32>) {
// CHECK-NEXT: ^bb0(%[[ACC:.*]]: f32, %[[KEEP:.*]]: i1, %[[RES:.*]]: f32):
// CHECK-NEXT:   %[[SUM:.*]] = arith.addf %[[ACC]], %[[RES]] : f32
// CHECK-NEXT:   %[[SEL:.*]] = arith.select %[[KEEP]], %[[SUM]], %[[ACC]] : f32
// CHECK-NEXT:   lowbit.yield %[[SEL]] : f32
// CHECK-NEXT: } : (tensor<?x8x64xf32>, tensor<32x64xf4E2M1FN>, tensor<32x4xf8E4M3FN>, tensor<f32>, tensor<32xi1>, tensor<?x8x32xf32>) -> tensor<?x8x32xf32>
func.func @matmul_epilogue_batched(%x: tensor<?x8x64xf32>, %q: tensor<32x64xf4E2M1FN>, %s: tensor<32x4xf8E4M3FN>,
                                   %t: tensor<f32>, %keep: tensor<32xi1>, %r: tensor<?x8x32xf32>) -> tensor<?x8x32xf32> {
  %y = lowbit.matmul %x, %q, %s tensor_scale %t scheme <group = [1, 16], scale = f8E4M3FN, tensor_scale = f32> transpose_b
      epilogue(%keep, %r : tensor<32xi1>, tensor<?x8x32xf32>) {
    ^bb0(%acc: f32, %k: i1, %res: f32):
      %sum = arith.addf %acc, %res : f32
      %sel = arith.select %k, %sum, %acc : f32
      lowbit.yield %sel : f32
  } : (tensor<?x8x64xf32>, tensor<32x64xf4E2M1FN>, tensor<32x4xf8E4M3FN>, tensor<f32>, tensor<32xi1>, tensor<?x8x32xf32>) -> tensor<?x8x32xf32>
  return %y : tensor<?x8x32xf32>
}

// CHECK-LABEL: func.func @matmul_packed
// CHECK: lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} zeros %{{.*}} scheme <group = [1, 64], scale = bf16, zero = int> transpose_b packed ui3 layout <bits = 3, word = 32, aligned, lanes = 16> : (tensor<2x320xbf16>, tensor<37x32xi32>, tensor<37x5xbf16>, tensor<37x5xui3>) -> tensor<2x37xbf16>
// GENERIC: "lowbit.matmul"(%{{.*}}) <{layout = #lowbit.layout<bits = 3, word = 32, aligned, lanes = 16>, operandSegmentSizes = array<i32: 1, 1, 1, 1, 0, 0, 0, 0>, scheme = #lowbit.scheme<group = [1, 64], scale = bf16, zero = int>, transposeB, weightType = ui3}>
func.func @matmul_packed(%x: tensor<2x320xbf16>, %p: tensor<37x32xi32>, %s: tensor<37x5xbf16>,
                         %z: tensor<37x5xui3>) -> tensor<2x37xbf16> {
  %y = lowbit.matmul %x, %p, %s zeros %z scheme <group = [1, 64], scale = bf16, zero = int> transpose_b
      packed ui3 layout <bits = 3, word = 32, aligned, lanes = 16>
      : (tensor<2x320xbf16>, tensor<37x32xi32>, tensor<37x5xbf16>, tensor<37x5xui3>) -> tensor<2x37xbf16>
  return %y : tensor<2x37xbf16>
}

// CHECK-LABEL: func.func @matmul_int8_dot
// CHECK: lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} scheme <group = [1, 64], scale = f16> transpose_b strategy int8_dot packed si4 layout <bits = 4, word = 8, aligned, lanes = 32> : (tensor<3x320xf32>, tensor<37x160xi8>, tensor<37x5xf16>) -> tensor<3x37xf32>
// GENERIC: "lowbit.matmul"(%{{.*}}) <{layout = #lowbit.layout<bits = 4, word = 8, aligned, lanes = 32>, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0>, scheme = #lowbit.scheme<group = [1, 64], scale = f16>, strategy = #lowbit.strategy<int8_dot>, transposeB, weightType = si4}>
func.func @matmul_int8_dot(%x: tensor<3x320xf32>, %p: tensor<37x160xi8>, %s: tensor<37x5xf16>) -> tensor<3x37xf32> {
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f16> transpose_b strategy int8_dot
      packed si4 layout <bits = 4, word = 8, aligned, lanes = 32>
      : (tensor<3x320xf32>, tensor<37x160xi8>, tensor<37x5xf16>) -> tensor<3x37xf32>
  return %y : tensor<3x37xf32>
}
