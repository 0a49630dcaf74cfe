// RUN: lowbit-translate --emit-cpu --cpu-isa=avx2 %s | FileCheck %s
//
// Fused epilogues become an inline function `epilogue(acc, e0, ...)` with one
// statement per op; the entry point takes the operands through a trailing
// `epilogueOperands` array and stores storeOut(epilogue(...)) per element.

// SiLU on the accumulator with the matmul's own bias and no epilogue
// operands: the array is still part of the ABI, and unused.
// CHECK: // fused epilogue; operands: none
// CHECK-LABEL: namespace silu_impl {
// CHECK: inline float epilogue(float acc) {
// CHECK-NEXT:   float out;
// CHECK-NEXT:   const float [[NEG:v[0-9]+]] = -acc;
// CHECK-NEXT:   const float [[EXP:v[0-9]+]] = expf([[NEG]]);
// CHECK-NEXT:   const float [[ONE:v[0-9]+]] = 0x1p+0f;
// CHECK-NEXT:   const float [[DEN:v[0-9]+]] = [[ONE]] + [[EXP]];
// CHECK-NEXT:   const float [[SILU:v[0-9]+]] = acc / [[DEN]];
// CHECK-NEXT:   out = [[SILU]];
// CHECK-NEXT:   return out;
// CHECK-NEXT: }
// CHECK: extern "C" void silu(const float *x, int64_t m, const uint32_t *w, const silu_impl::ScaleT *scales, const float *zeros, const silu_impl::ScaleT *negScales, float tensorScale, const float *bias, float *y, int threads, const void *const *epilogueOperands) {
// CHECK: (void)epilogueOperands;
// CHECK: const float v = acc[r] + loadOut(bias[n]);
// CHECK-NEXT: y[(m0 + r) * N + n] = storeOut(epilogue(v));
// CHECK: const float v = acc[r] + loadOut(bias[n]);
// CHECK-NEXT: y[(m0 + r) * N + n] = storeOut(epilogue(v));
func.func @silu(%x: tensor<3x64xf32>, %p: tensor<16x8xi32>, %s: tensor<16x1xf16>, %b: tensor<16xf32>) -> tensor<3x16xf32> {
  %y = lowbit.matmul %x, %p, %s bias %b scheme <group = [1, 64], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 8> epilogue {
    ^bb0(%acc: f32):
      %neg = arith.negf %acc : f32
      %exp = math.exp %neg : f32
      %one = arith.constant 1.0 : f32
      %den = arith.addf %one, %exp : f32
      %silu = arith.divf %acc, %den : f32
      lowbit.yield %silu : f32
  } : (tensor<3x64xf32>, tensor<16x8xi32>, tensor<16x1xf16>, tensor<16xf32>) -> tensor<3x16xf32>
  return %y : tensor<3x16xf32>
}

// GELU, tanh form, after a bias broadcast along rows ([N], f16); f16
// output: the truncf rounds through roundF16 and storeOut stores the bits.
// CHECK: // fused epilogue; operands: e0 f16 [N]
// CHECK-LABEL: namespace gelu_tanh_impl {
// CHECK: inline float epilogue(float acc, float e0) {
// CHECK-NEXT:   float out;
// CHECK-NEXT:   const float [[BW:v[0-9]+]] = e0;
// CHECK-NEXT:   const float [[H:v[0-9]+]] = acc + [[BW]];
// CHECK-NEXT:   const float [[C0:v[0-9]+]] = 0x1.6e4e26p-5f;
// CHECK-NEXT:   const float [[C1:v[0-9]+]] = 0x1.988454p-1f;
// CHECK-NEXT:   const float [[HALF:v[0-9]+]] = 0x1p-1f;
// CHECK-NEXT:   const float [[ONE:v[0-9]+]] = 0x1p+0f;
// CHECK-NEXT:   const float [[H2:v[0-9]+]] = [[H]] * [[H]];
// CHECK-NEXT:   const float [[H3:v[0-9]+]] = [[H2]] * [[H]];
// CHECK-NEXT:   const float [[CH3:v[0-9]+]] = [[C0]] * [[H3]];
// CHECK-NEXT:   const float [[INNER:v[0-9]+]] = [[H]] + [[CH3]];
// CHECK-NEXT:   const float [[ARG:v[0-9]+]] = [[C1]] * [[INNER]];
// CHECK-NEXT:   const float [[TANH:v[0-9]+]] = tanhf([[ARG]]);
// CHECK-NEXT:   const float [[SUM:v[0-9]+]] = [[ONE]] + [[TANH]];
// CHECK-NEXT:   const float [[HH:v[0-9]+]] = [[HALF]] * [[H]];
// CHECK-NEXT:   const float [[GELU:v[0-9]+]] = [[HH]] * [[SUM]];
// CHECK-NEXT:   const float [[T:v[0-9]+]] = roundF16([[GELU]]);
// CHECK-NEXT:   out = [[T]];
// CHECK: extern "C" void gelu_tanh(const uint16_t *x, int64_t m, const uint32_t *w, const gelu_tanh_impl::ScaleT *scales, const float *zeros, const gelu_tanh_impl::ScaleT *negScales, float tensorScale, const uint16_t *bias, uint16_t *y, int threads, const void *const *epilogueOperands) {
// CHECK: const uint16_t *ep0 = (const uint16_t *)epilogueOperands[0];
// CHECK: const float v = acc[r];
// CHECK-NEXT: y[(m0 + r) * N + n] = storeOut(epilogue(v, f16ToF32(ep0[n])));
// CHECK: y[(m0 + r) * N + n] = storeOut(epilogue(v, f16ToF32(ep0[n])));
func.func @gelu_tanh(%x: tensor<5x128xf16>, %p: tensor<24x16xi32>, %s: tensor<24x2xf16>, %b: tensor<24xf16>) -> tensor<5x24xf16> {
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 8>
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
  } : (tensor<5x128xf16>, tensor<24x16xi32>, tensor<24x2xf16>, tensor<24xf16>) -> tensor<5x24xf16>
  return %y : tensor<5x24xf16>
}

// A residual of the output's shape ([M, N], read at [m, n]) and a per-channel
// bf16 scale; the exact GELU through erff.
// CHECK: // fused epilogue; operands: e0 bf16 [N], e1 f32 [M, N]
// CHECK-LABEL: namespace gelu_erf_residual_impl {
// CHECK: inline float epilogue(float acc, float e0, float e1) {
// CHECK-NEXT:   float out;
// CHECK-NEXT:   const float [[SW:v[0-9]+]] = e0;
// CHECK-NEXT:   const float [[H:v[0-9]+]] = acc * [[SW]];
// CHECK-NEXT:   const float [[RSQRT2:v[0-9]+]] = 0x1.6a09e6p-1f;
// CHECK-NEXT:   const float [[HALF:v[0-9]+]] = 0x1p-1f;
// CHECK-NEXT:   const float [[ONE:v[0-9]+]] = 0x1p+0f;
// CHECK-NEXT:   const float [[A:v[0-9]+]] = [[H]] * [[RSQRT2]];
// CHECK-NEXT:   const float [[ERF:v[0-9]+]] = erff([[A]]);
// CHECK-NEXT:   const float [[S:v[0-9]+]] = [[ONE]] + [[ERF]];
// CHECK-NEXT:   const float [[HH:v[0-9]+]] = [[HALF]] * [[H]];
// CHECK-NEXT:   const float [[GELU:v[0-9]+]] = [[HH]] * [[S]];
// CHECK-NEXT:   const float [[SUM:v[0-9]+]] = [[GELU]] + e1;
// CHECK-NEXT:   out = [[SUM]];
// CHECK: const uint16_t *ep0 = (const uint16_t *)epilogueOperands[0];
// CHECK-NEXT: const float *ep1 = (const float *)epilogueOperands[1];
// CHECK: y[(m0 + r) * N + n] = storeOut(epilogue(v, bf16ToF32(ep0[n]), ep1[(m0 + r) * N + n]));
// CHECK: y[(m0 + r) * N + n] = storeOut(epilogue(v, bf16ToF32(ep0[n]), ep1[(m0 + r) * N + n]));
func.func @gelu_erf_residual(%x: tensor<5x64xbf16>, %p: tensor<8x8xi32>, %s: tensor<8x1xf16>, %scale: tensor<8xbf16>, %r: tensor<5x8xf32>) -> tensor<5x8xf32> {
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 8>
      epilogue(%scale, %r : tensor<8xbf16>, tensor<5x8xf32>) {
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
  } : (tensor<5x64xbf16>, tensor<8x8xi32>, tensor<8x1xf16>, tensor<8xbf16>, tensor<5x8xf32>) -> tensor<5x8xf32>
  return %y : tensor<5x8xf32>
}

// Arithmetic in f16 and bf16 rounds after every inexact op; negation,
// maximum and select are exact. A per-channel i1 mask (one byte per element)
// selects between a leaky ReLU and the input; cmpf's unordered predicates
// are the negated opposite comparison.
// CHECK: // fused epilogue; operands: e0 i1 [N], e1 f16 [M, N]
// CHECK-LABEL: namespace masked_f16_impl {
// CHECK: inline float epilogue(float acc, bool e0, float e1) {
// CHECK-NEXT:   float out;
// CHECK-NEXT:   const float [[H:v[0-9]+]] = roundF16(acc);
// CHECK-NEXT:   const float [[SUM:v[0-9]+]] = roundF16([[H]] + e1);
// CHECK-NEXT:   const float [[SLOPE:v[0-9]+]] = 0x1.998p-4f;
// CHECK-NEXT:   const float [[LEAK:v[0-9]+]] = roundF16([[SUM]] * [[SLOPE]]);
// CHECK-NEXT:   const float [[RELU:v[0-9]+]] = maximumF([[SUM]], [[LEAK]]);
// CHECK-NEXT:   const bool [[NEGATIVE:v[0-9]+]] = !([[SUM]] >= [[LEAK]]);
// CHECK-NEXT:   const bool [[ORDERED:v[0-9]+]] = ([[SUM]] == [[SUM]] && [[LEAK]] == [[LEAK]]);
// CHECK-NEXT:   const bool [[KEEP:v[0-9]+]] = bool(e0 & [[ORDERED]]);
// CHECK-NEXT:   const float [[SEL:v[0-9]+]] = [[KEEP]] ? [[RELU]] : [[SUM]];
// CHECK-NEXT:   const float [[NEG:v[0-9]+]] = -[[SEL]];
// CHECK-NEXT:   const float [[RES:v[0-9]+]] = [[NEGATIVE]] ? [[SEL]] : [[NEG]];
// CHECK-NEXT:   out = [[RES]];
// CHECK: const uint8_t *ep0 = (const uint8_t *)epilogueOperands[0];
// CHECK-NEXT: const uint16_t *ep1 = (const uint16_t *)epilogueOperands[1];
// CHECK: y[(m0 + r) * N + n] = storeOut(epilogue(v, ep0[n] != 0, f16ToF32(ep1[(m0 + r) * N + n])));
func.func @masked_f16(%x: tensor<2x64xf32>, %p: tensor<8x8xi32>, %s: tensor<8x1xf16>, %keep: tensor<8xi1>, %r: tensor<2x8xf16>) -> tensor<2x8xf16> {
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 8>
      epilogue(%keep, %r : tensor<8xi1>, tensor<2x8xf16>) {
    ^bb0(%acc: f32, %k: i1, %res: f16):
      %h = arith.truncf %acc : f32 to f16
      %sum = arith.addf %h, %res : f16
      %slope = arith.constant 0.1 : f16
      %leak = arith.mulf %sum, %slope : f16
      %relu = arith.maximumf %sum, %leak : f16
      %negative = arith.cmpf ult, %sum, %leak : f16
      %ordered = arith.cmpf ord, %sum, %leak : f16
      %keep2 = arith.andi %k, %ordered : i1
      %sel = arith.select %keep2, %relu, %sum : f16
      %neg = arith.negf %sel : f16
      %result = arith.select %negative, %sel, %neg : f16
      lowbit.yield %result : f16
  } : (tensor<2x64xf32>, tensor<8x8xi32>, tensor<8x1xf16>, tensor<8xi1>, tensor<2x8xf16>) -> tensor<2x8xf16>
  return %y : tensor<2x8xf16>
}

// Integers: i32 and index operands are intN_t, compared signed as they are
// and unsigned through uintN_t; i1 is a bool whose signed value is 0 or -1.
// Conversions to bf16 round; rsqrt is a division by sqrtf.
// CHECK: // fused epilogue; operands: e0 i1 [N], e1 i32 [M, N], e2 i64 [N]
// CHECK-LABEL: namespace integers_impl {
// CHECK: inline float epilogue(float acc, bool e0, int32_t e1, int64_t e2) {
// CHECK-NEXT:   float out;
// CHECK-NEXT:   const int32_t [[C:v[0-9]+]] = int32_t(-5LL);
// CHECK-NEXT:   const bool [[ULT:v[0-9]+]] = uint32_t(e1) < uint32_t([[C]]);
// CHECK-NEXT:   const bool [[SLT:v[0-9]+]] = -int(e0) < -int([[ULT]]);
// CHECK-NEXT:   const int64_t [[THREE:v[0-9]+]] = int64_t(3LL);
// CHECK-NEXT:   const bool [[SGE:v[0-9]+]] = e2 >= [[THREE]];
// CHECK-NEXT:   const bool [[XOR:v[0-9]+]] = bool([[SLT]] ^ [[SGE]]);
// CHECK-NEXT:   const float [[U:v[0-9]+]] = roundBF16(float(uint32_t(e1)));
// CHECK-NEXT:   const float [[S:v[0-9]+]] = [[XOR]] ? -1.0f : 0.0f;
// CHECK-NEXT:   const float [[R:v[0-9]+]] = 1.0f / sqrtf(acc);
// CHECK-NEXT:   const float [[UW:v[0-9]+]] = [[U]];
// CHECK-NEXT:   const float [[SUM:v[0-9]+]] = [[R]] + [[UW]];
// CHECK-NEXT:   const float [[SUM2:v[0-9]+]] = [[SUM]] + [[S]];
// CHECK-NEXT:   const float [[T:v[0-9]+]] = roundBF16([[SUM2]]);
// CHECK-NEXT:   out = [[T]];
// CHECK: extern "C" void integers(const float *x, int64_t m, const uint32_t *w, const integers_impl::ScaleT *scales, const float *zeros, const integers_impl::ScaleT *negScales, float tensorScale, const uint16_t *bias, uint16_t *y, int threads, const void *const *epilogueOperands) {
// CHECK: const uint8_t *ep0 = (const uint8_t *)epilogueOperands[0];
// CHECK-NEXT: const int32_t *ep1 = (const int32_t *)epilogueOperands[1];
// CHECK-NEXT: const int64_t *ep2 = (const int64_t *)epilogueOperands[2];
// CHECK: y[(m0 + r) * N + n] = storeOut(epilogue(v, ep0[n] != 0, ep1[(m0 + r) * N + n], ep2[n]));
func.func @integers(%x: tensor<2x64xf32>, %p: tensor<8x8xi32>, %s: tensor<8x1xf16>, %k: tensor<8xi1>, %i: tensor<2x8xi32>, %j: tensor<8xindex>) -> tensor<2x8xbf16> {
  %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f16> transpose_b
      packed si4 layout <bits = 4, word = 32, aligned, lanes = 8>
      epilogue(%k, %i, %j : tensor<8xi1>, tensor<2x8xi32>, tensor<8xindex>) {
    ^bb0(%acc: f32, %flag: i1, %int: i32, %idx: index):
      %c = arith.constant -5 : i32
      %ult = arith.cmpi ult, %int, %c : i32
      %slt = arith.cmpi slt, %flag, %ult : i1
      %three = arith.constant 3 : index
      %sge = arith.cmpi sge, %idx, %three : index
      %xor = arith.xori %slt, %sge : i1
      %u = arith.uitofp %int : i32 to bf16
      %sf = arith.sitofp %xor : i1 to f32
      %r = math.rsqrt %acc : f32
      %uw = arith.extf %u : bf16 to f32
      %sum = arith.addf %r, %uw : f32
      %sum2 = arith.addf %sum, %sf : f32
      %t = arith.truncf %sum2 : f32 to bf16
      lowbit.yield %t : bf16
  } : (tensor<2x64xf32>, tensor<8x8xi32>, tensor<8x1xf16>, tensor<8xi1>, tensor<2x8xi32>, tensor<8xindex>) -> tensor<2x8xbf16>
  return %y : tensor<2x8xbf16>
}
