// RUN: lowbit-opt %s --lowbit-pack-weights="isa=avx512" | lowbit-translate --emit-cpu --cpu-isa=avx512 --split-input-file | FileCheck %s --check-prefix=AVX512
// RUN: lowbit-opt %s --lowbit-pack-weights="isa=avx2" | lowbit-translate --emit-cpu --cpu-isa=avx2 --split-input-file | FileCheck %s --check-prefix=AVX2
// RUN: lowbit-opt %s --lowbit-pack-weights="isa=scalar" | lowbit-translate --emit-cpu --cpu-isa=scalar --split-input-file | FileCheck %s --check-prefix=SCALAR
//
// Each function becomes one kernel named after it. Weights given as logical
// codes are packed for the ISA by --lowbit-pack-weights first.

// int4, group 64: a 16-entry register table on AVX-512 (one vpermps per 16
// weights); on AVX2 each code is converted where it lies in the word, with
// no shift below the top field: the load flips every field's sign bit to
// offset binary and the convert of a masked field is exact; the offset, 8,
// is subtracted once per group as 8 times the group's activation sum.
// Activations are stored times the inverse powers of two (centred by
// ACC_SCALE). Every block prefetches the weights 2 KiB ahead. A full table
// in the scalar kernel.
// AVX512-LABEL: kernel int4_table:
// AVX512: alignas(64) const float kTable[16] = {0x0p+0f, 0x1p+0f, 0x1p+1f, 0x1.8p+1f, 0x1p+2f, 0x1.4p+2f, 0x1.8p+2f, 0x1.cp+2f, -0x1p+3f, -0x1.cp+2f,
// AVX512: typedef uint16_t ScaleT;
// AVX512: _mm_prefetch((const char *)(wrow + blk * LANES) + 2048, _MM_HINT_T0);
// AVX512: const __m512i c = _mm512_srli_epi32(wv, 4);
// AVX512: _mm512_permutexvar_ps(c, t0)
// AVX512: _mm512_fmadd_ps(xv, d,
// AVX2-LABEL: kernel int4_table:
// AVX2: constexpr uint32_t FLIP = 0x88888888u;
// AVX2: constexpr float ACC_SCALE = 0x1p-14f;
// AVX2: constexpr float kActScale[PER_WORD] = {0x1p+14f, 0x1p+10f, 0x1p+6f, 0x1p+2f, 0x1p-2f, 0x1p-6f, 0x1p-10f, 0x1p+14f};
// AVX2: const __m256i wv = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(wrow + blk * LANES)), _mm256_set1_epi32(int(FLIP)));
// AVX2: const __m256 d = _mm256_cvtepi32_ps(_mm256_and_si256(wv, _mm256_set1_epi32(int(0xf0u))));
// AVX2: const __m256 d = _mm256_cvtepi32_ps(_mm256_srli_epi32(wv, 28));
// AVX2-NOT: srai
// AVX2-NOT: _mm256_sub_ps
// AVX2: yv[r] = _mm256_fmadd_ps(_mm256_set1_ps(s * ACC_SCALE), acc[r][0], yv[r]);
// AVX2: corr[r] -= s * 0x1p+3f * xsum[(m0 + r) * GROUPS + g];
// AVX2: xs[i * K + k] = v * kActScale[k % PERIOD / LANES];
// SCALAR-LABEL: kernel int4_table:
// SCALAR: const float d = kTable[code];
// SCALAR-NOT: immintrin
func.func @int4_table(%x: tensor<1x256xf32>, %q: tensor<64x256xsi4>, %s: tensor<64x4xf16>) -> tensor<1x64xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f16> transpose_b
      : (tensor<1x256xf32>, tensor<64x256xsi4>, tensor<64x4xf16>) -> tensor<1x64xf32>
  return %y : tensor<1x64xf32>
}

// -----

// e2m1 with e8m0 scales (MXFP4): AVX2 uses two permutes and a blend on the
// code's bit 3; the scale is read through an e8m0 table.
// AVX2-LABEL: kernel mxfp4:
// AVX2: typedef uint8_t ScaleT;
// AVX2: _mm256_blendv_ps(_mm256_permutevar8x32_ps(t0, c), _mm256_permutevar8x32_ps(t1, c), _mm256_castsi256_ps(_mm256_slli_epi32(c, 28)))
func.func @mxfp4(%x: tensor<4x64xf32>, %q: tensor<32x64xf4E2M1FN>, %s: tensor<32x2xf8E8M0FNU>) -> tensor<4x32xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 32], scale = f8E8M0FNU> transpose_b
      : (tensor<4x64xf32>, tensor<32x64xf4E2M1FN>, tensor<32x2xf8E8M0FNU>) -> tensor<4x32xf32>
  return %y : tensor<4x32xf32>
}

// -----

// e4m3 codes: fields moved into f32 position, the rebias 2^(127 - 7) folded
// into the scale; asym-fp splits the decoded value into its two signs.
// AVX2-LABEL: kernel e4m3_asym:
// AVX2: constexpr float SCALE_FACTOR = 0x1p+120f;
// AVX2: _mm256_slli_epi32(_mm256_and_si256(c, _mm256_set1_epi32(127)), 20)
// AVX2: const __m256 dn = _mm256_min_ps(d, _mm256_setzero_ps());
// AVX2: yv[r] = _mm256_fmadd_ps(_mm256_set1_ps(sn), accn[r][0], yv[r]);
func.func @e4m3_asym(%x: tensor<1x64xbf16>, %q: tensor<16x64xf8E4M3FN>, %s: tensor<16x2xbf16>,
                     %sn: tensor<16x2xbf16>) -> tensor<1x16xbf16> {
  %y = lowbit.matmul %x, %q, %s neg_scales %sn scheme <group = [1, 32], scale = bf16, zero = asym_fp> transpose_b
      : (tensor<1x64xbf16>, tensor<16x64xf8E4M3FN>, tensor<16x2xbf16>, tensor<16x2xbf16>) -> tensor<1x16xbf16>
  return %y : tensor<1x16xbf16>
}

// -----

// A 6-bit codebook is too wide for a register table: a gather from memory.
// uint4 with integer zero points subtracts s * z * sum(x) per group; its
// top field is shifted down (bit 31 would be the int32 sign), the others are
// masked in place.
// AVX2-LABEL: kernel uint4_zero:
// AVX2-NOT: FLIP
// AVX2: constexpr float kActScale[PER_WORD] = {0x1p+14f, 0x1p+10f, 0x1p+6f, 0x1p+2f, 0x1p-2f, 0x1p-6f, 0x1p-10f, 0x1p+14f};
// AVX2: const __m256 d = _mm256_cvtepi32_ps(_mm256_and_si256(wv, _mm256_set1_epi32(int(0xf000000u))));
// AVX2-NEXT: for
// AVX2: const __m256 d = _mm256_cvtepi32_ps(_mm256_srli_epi32(wv, 28));
// AVX2: corr[r] -= s * z * xsum[(m0 + r) * GROUPS + g];
// AVX2-LABEL: kernel codebook6:
// AVX2: _mm256_i32gather_ps(kTable, c, 4)
func.func @uint4_zero(%x: tensor<2x128xf16>, %q: tensor<8x128xui4>, %s: tensor<8x1xf16>,
                      %z: tensor<8x1xui4>) -> tensor<2x8xf16> {
  %y = lowbit.matmul %x, %q, %s zeros %z scheme <group = [1, 128], scale = f16, zero = int> transpose_b
      : (tensor<2x128xf16>, tensor<8x128xui4>, tensor<8x1xf16>, tensor<8x1xui4>) -> tensor<2x8xf16>
  return %y : tensor<2x8xf16>
}
func.func @codebook6(%x: tensor<1x64xf32>, %q: tensor<8x64x!lowbit.codebook<6, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, -1.0, -2.0, -3.0, -4.0, -5.0, -6.0, -7.0, -8.0, -9.0, -10.0, -11.0, -12.0, -13.0, -14.0, -15.0, -16.0, -17.0, -18.0, -19.0, -20.0, -21.0, -22.0, -23.0, -24.0, -25.0, -26.0, -27.0, -28.0, -29.0, -30.0, -31.0, -32.0]>>,
                     %s: tensor<8x1xf32>) -> tensor<1x8xf32> {
  %y = lowbit.matmul %x, %q, %s scheme <group = [1, 64], scale = f32> transpose_b
      : (tensor<1x64xf32>, tensor<8x64x!lowbit.codebook<6, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, -1.0, -2.0, -3.0, -4.0, -5.0, -6.0, -7.0, -8.0, -9.0, -10.0, -11.0, -12.0, -13.0, -14.0, -15.0, -16.0, -17.0, -18.0, -19.0, -20.0, -21.0, -22.0, -23.0, -24.0, -25.0, -26.0, -27.0, -28.0, -29.0, -30.0, -31.0, -32.0]>>, tensor<8x1xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}
