// RUN: lowbit-opt %s --lowbit-pack-weights="isa=avx2" --split-input-file | FileCheck %s --check-prefixes=CHECK,AVX2
// RUN: lowbit-opt %s --lowbit-pack-weights="isa=avx512" --split-input-file | FileCheck %s --check-prefixes=CHECK,AVX512

// Weights that are function arguments are packed by lowbit.pack.
// CHECK-LABEL: func.func @pack_argument
// CHECK-SAME: (%[[X:.*]]: tensor<1x256xf32>, %[[Q:.*]]: tensor<64x256xsi4>, %[[S:.*]]: tensor<64x4xf16>)
// AVX2: %[[P:.*]] = lowbit.pack %[[Q]] layout <bits = 4, word = 32, aligned, lanes = 8> : tensor<64x256xsi4> -> tensor<64x32xi32>
// AVX512: %[[P:.*]] = lowbit.pack %[[Q]] layout <bits = 4, word = 32, aligned, lanes = 16> : tensor<64x256xsi4> -> tensor<64x32xi32>
// AVX2: lowbit.matmul %[[X]], %[[P]], %[[S]] scheme <group = [1, 64], scale = f16> transpose_b packed si4 layout <bits = 4, word = 32, aligned, lanes = 8> : (tensor<1x256xf32>, tensor<64x32xi32>, tensor<64x4xf16>) -> tensor<1x64xf32>
// AVX512: lowbit.matmul %[[X]], %[[P]], %[[S]] scheme <group = [1, 64], scale = f16> transpose_b packed si4 layout <bits = 4, word = 32, aligned, lanes = 16>
func.func @pack_argument(%x: tensor<1x256xf32>, %q: tensor<64x256xsi4>, %s: tensor<64x4xf16>) -> tensor<1x64xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      : (tensor<1x256xf32>, tensor<64x256xsi4>, tensor<64x4xf16>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}

// -----

// Constant weights are packed at compile time: 3-bit codes, 10 per word.
// Row 0 holds codes 1 (element 0) and 2 (element 8): word 0 = 1, word 1 = 0,
// ... for avx2's 8 lanes element 8 is word 0 at position 1: 1 | 2 << 3 = 17.
// CHECK-LABEL: func.func @pack_constant
// CHECK-NOT: lowbit.pack
// AVX2: %[[P:.*]] = arith.constant dense<{{\[\[}}17, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0]]> : tensor<2x8xi32>
// AVX2: lowbit.matmul %{{.*}}, %[[P]], %{{.*}} scheme <group = [1, 16], scale = f32> transpose_b packed ui3 layout <bits = 3, word = 32, aligned, lanes = 8>
func.func @pack_constant(%x: tensor<3x16xf32>, %s: tensor<2x1xf32>) -> tensor<3x2xf32> {
  %q = arith.constant dense<[[1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0],
                             [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]> : tensor<2x16xui3>
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 16], scale = f32> transpose_b
      : (tensor<3x16xf32>, tensor<2x16xui3>, tensor<2x1xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Dialect element types pack too; the epilogue and other operands stay.
// CHECK-LABEL: func.func @pack_nf4_epilogue
// CHECK: lowbit.pack %{{.*}} layout <bits = 4, word = 32, aligned
// CHECK: lowbit.matmul {{.*}} transpose_b packed !lowbit.codebook<nf4> layout <bits = 4, word = 32, aligned, lanes = {{8|16}}> epilogue(%{{.*}} : tensor<32xf32>)
// CHECK: arith.addf
// CHECK: lowbit.yield
func.func @pack_nf4_epilogue(%x: tensor<1x64xf32>, %q: tensor<32x64x!lowbit.codebook<nf4>>,
                             %s: tensor<32x1xf32>, %b: tensor<32xf32>) -> tensor<1x32xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f32> transpose_b
      epilogue(%b : tensor<32xf32>) {
  ^bb0(%acc: f32, %bias: f32):
    %v = arith.addf %acc, %bias : f32
    lowbit.yield %v : f32
  } : (tensor<1x64xf32>, tensor<32x64x!lowbit.codebook<nf4>>, tensor<32x1xf32>, tensor<32xf32>) -> tensor<1x32xf32>
  return %y : tensor<1x32xf32>
}

// -----

// Weights stored [K, N] and weights already packed are left alone.
// CHECK-LABEL: func.func @leave_alone
// CHECK-NOT: lowbit.pack
// CHECK: lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} scheme <group = [64, 1], scale = f16> :
// CHECK: lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} scheme <group = [1, 64], scale = f16> transpose_b packed si4 layout <bits = 4, word = 32, aligned, lanes = 4>
func.func @leave_alone(%x: tensor<1x128xf32>, %q: tensor<128x8xsi4>, %s: tensor<2x8xf16>,
                       %p: tensor<8x16xi32>, %s2: tensor<8x2xf16>) -> (tensor<1x8xf32>, tensor<1x8xf32>) {
  %y = lowbit.matmul %x, %q, %s scheme <group = [64, 1], scale = f16>
      : (tensor<1x128xf32>, tensor<128x8xsi4>, tensor<2x8xf16>) -> tensor<1x8xf32>
  %z = lowbit.matmul %x, %p, %s2 scheme <group = [1, 64], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 4>
      : (tensor<1x128xf32>, tensor<8x16xi32>, tensor<8x2xf16>) -> tensor<1x8xf32>
  return %y, %z : tensor<1x8xf32>, tensor<1x8xf32>
}

// -----

// GPU targets (target=cuda and target=hip share one layout, the one
// gpu::weightLayout gives): codes whose width divides 32 are interleaved so
// that codes 2i and 2i+1 sit in slot i of a word's low and high half-words;
// other widths are a plain bit stream. Unknown targets are an error.
// RUN: lowbit-opt %s --lowbit-pack-weights="target=cuda" --split-input-file | FileCheck %s --check-prefix=GPU
// RUN: lowbit-opt %s --lowbit-pack-weights="target=hip" --split-input-file | FileCheck %s --check-prefix=GPU
// RUN: not lowbit-opt %s --lowbit-pack-weights="target=rocm" --split-input-file 2>&1 | FileCheck %s --check-prefix=BAD-TARGET
// BAD-TARGET: error: --lowbit-pack-weights: target 'rocm' is not one of cpu, cuda, hip

// Weights already packed (here for a CPU ISA) are left alone by GPU targets
// too; the GPU emitter then rejects them.
// GPU-LABEL: func.func @leave_alone
// GPU: lowbit.matmul %{{.*}}, %{{.*}}, %{{.*}} scheme <group = [1, 64], scale = f16> transpose_b packed si4 layout <bits = 4, word = 32, aligned, lanes = 4>

// GPU-LABEL: func.func @gpu_argument
// GPU-SAME: (%[[X:.*]]: tensor<4x256xf16>, %[[Q:.*]]: tensor<64x256xsi4>, %[[S:.*]]: tensor<64x2xf16>)
// GPU: %[[P:.*]] = lowbit.pack %[[Q]] layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7], stripe = 4, chunk = 128, piece = 4> : tensor<64x256xsi4> -> tensor<64x32xi32>
// GPU: lowbit.matmul %[[X]], %[[P]], %[[S]] scheme <group = [1, 128], scale = f16> transpose_b packed si4 layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7], stripe = 4, chunk = 128, piece = 4> : (tensor<4x256xf16>, tensor<64x32xi32>, tensor<64x2xf16>) -> tensor<4x64xf16>
func.func @gpu_argument(%x: tensor<4x256xf16>, %q: tensor<64x256xsi4>, %s: tensor<64x2xf16>) -> tensor<4x64xf16> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b
      : (tensor<4x256xf16>, tensor<64x256xsi4>, tensor<64x2xf16>) -> tensor<4x64xf16>
  return %y : tensor<4x64xf16>
}

// -----

// Constant weights pack at compile time. 4-bit codes 1..8 fill word 0 as
// low half-word 0x7531 (codes 1, 3, 5, 7) and high half-word 0x8642 (codes
// 2, 4, 6, 8): 0x86427531 = -2042464975; codes 9..15, 0 give 0x0ECAFDB9.
// GPU-LABEL: func.func @gpu_constant_interleaved
// GPU-NOT: lowbit.pack
// GPU: %[[P:.*]] = arith.constant dense<{{\[\[}}-2042464975, 248184249], [0, 0]]> : tensor<2x2xi32>
// GPU: lowbit.matmul %{{.*}}, %[[P]], %{{.*}} scheme <group = [1, 16], scale = f16> transpose_b packed ui4 layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7], stripe = 4, chunk = 128, piece = 4>
func.func @gpu_constant_interleaved(%x: tensor<1x16xf16>, %s: tensor<2x1xf16>) -> tensor<1x2xf16> {
  %q = arith.constant dense<[[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0],
                             [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]> : tensor<2x16xui4>
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 16], scale = f16> transpose_b
      : (tensor<1x16xf16>, tensor<2x16xui4>, tensor<2x1xf16>) -> tensor<1x2xf16>
  return %y : tensor<1x2xf16>
}

// -----

// 3-bit codes as a bit stream, 32 codes in 3 words: code 10 (7) straddles
// words 0 and 1 (bits 30..32), code 31 (5) ends word 2:
// word 0 = 1 | 2 << 3 | 3 << 30 = -1073741807, word 1 = 1, word 2 = 5 << 29.
// GPU-LABEL: func.func @gpu_constant_stream
// GPU: %[[P:.*]] = arith.constant dense<{{\[\[}}-1073741807, 1, -1610612736]]> : tensor<1x3xi32>
// GPU: lowbit.matmul %{{.*}}, %[[P]], %{{.*}} scheme <group = [1, 32], scale = f16> transpose_b packed ui3 layout <bits = 3, word = 32, stripe = 4, chunk = 128, piece = 4> :
func.func @gpu_constant_stream(%x: tensor<1x32xf16>, %s: tensor<1x1xf16>) -> tensor<1x1xf16> {
  %q = arith.constant dense<[[1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0,
                              0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5]]> : tensor<1x32xui3>
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 32], scale = f16> transpose_b
      : (tensor<1x32xf16>, tensor<1x32xui3>, tensor<1x1xf16>) -> tensor<1x1xf16>
  return %y : tensor<1x1xf16>
}

// -----

// Every width: 2-bit ternary and 8-bit codes interleave, 6-bit codes stream;
// dialect and builtin float element types pack alike.
// GPU-LABEL: func.func @gpu_widths
// GPU: lowbit.pack %{{.*}} layout <bits = 2, word = 32, order = [0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15], stripe = 4, chunk = 128, piece = 4> : tensor<64x256x!lowbit.ternary> -> tensor<64x16xi32>
// GPU: transpose_b packed !lowbit.ternary layout <bits = 2, word = 32, order = [0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15], stripe = 4, chunk = 128, piece = 4>
// GPU: lowbit.pack %{{.*}} layout <bits = 8, word = 32, order = [0, 2, 1, 3], stripe = 4, chunk = 128, piece = 4> : tensor<64x256xui8> -> tensor<64x64xi32>
// GPU: transpose_b packed ui8 layout <bits = 8, word = 32, order = [0, 2, 1, 3], stripe = 4, chunk = 128, piece = 4>
// GPU: lowbit.pack %{{.*}} layout <bits = 6, word = 32, stripe = 4, chunk = 128, piece = 4> : tensor<64x256xsi6> -> tensor<64x48xi32>
// GPU: transpose_b packed si6 layout <bits = 6, word = 32, stripe = 4, chunk = 128, piece = 4> :
// GPU: lowbit.pack %{{.*}} layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7], stripe = 4, chunk = 128, piece = 4> : tensor<64x256xf4E2M1FN> -> tensor<64x32xi32>
// GPU: transpose_b packed f4E2M1FN layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7], stripe = 4, chunk = 128, piece = 4>
func.func @gpu_widths(%x: tensor<1x256xbf16>, %t: tensor<64x256x!lowbit.ternary>, %u8: tensor<64x256xui8>,
                      %i6: tensor<64x256xsi6>, %e: tensor<64x256xf4E2M1FN>, %s: tensor<64x2xbf16>)
    -> (tensor<1x64xbf16>, tensor<1x64xbf16>, tensor<1x64xbf16>, tensor<1x64xbf16>) {
  %a = lowbit.matmul %x, %t, %s scheme <group = [1, 128], scale = bf16> transpose_b
      : (tensor<1x256xbf16>, tensor<64x256x!lowbit.ternary>, tensor<64x2xbf16>) -> tensor<1x64xbf16>
  %b = lowbit.matmul %x, %u8, %s scheme <group = [1, 128], scale = bf16> transpose_b
      : (tensor<1x256xbf16>, tensor<64x256xui8>, tensor<64x2xbf16>) -> tensor<1x64xbf16>
  %c = lowbit.matmul %x, %i6, %s scheme <group = [1, 128], scale = bf16> transpose_b
      : (tensor<1x256xbf16>, tensor<64x256xsi6>, tensor<64x2xbf16>) -> tensor<1x64xbf16>
  %d = lowbit.matmul %x, %e, %s scheme <group = [1, 128], scale = bf16> transpose_b
      : (tensor<1x256xbf16>, tensor<64x256xf4E2M1FN>, tensor<64x2xbf16>) -> tensor<1x64xbf16>
  return %a, %b, %c, %d : tensor<1x64xbf16>, tensor<1x64xbf16>, tensor<1x64xbf16>, tensor<1x64xbf16>
}
