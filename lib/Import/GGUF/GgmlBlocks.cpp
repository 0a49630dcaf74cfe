//===- GgmlBlocks.cpp - ggml quantized blocks as codes and parameters -----===//
//
// The block layouts follow ggml-common.h and the element order and formulas
// ggml-quants.c's dequantize_row_* functions. ggml computes each group's
// effective scale (and min) in f32 as a product of an f16 super-scale and a
// small integer; those products are exact in f32 (at most 11 + 8 significant
// bits), and so are the products with the codes, so the values computed here
// in double and numerics' formula, rounded once to f32, are bit for bit
// ggml's.
//
//===----------------------------------------------------------------------===//

#include "GgmlBlocks.h"

using namespace lowbit;
using namespace lowbit::import;
using numerics::Format;
using numerics::ScaleType;
using numerics::ZeroPointMode;

static constexpr int kQK = 256; // QK_K

/// The f16 stored little-endian at `p`, exactly.
static double loadF16(const uint8_t *p) {
  return numerics::fromF16Bits(uint16_t(p[0] | p[1] << 8));
}

static uint32_t loadU32(const uint8_t *p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
         uint32_t(p[3]) << 24;
}

/// Nibbles of 16 bytes: element j is the low nibble of byte j, element
/// j + 16 its high nibble (the 32-element blocks' order).
static void splitNibbles(const uint8_t *qs, uint8_t *codes) {
  for (int j = 0; j < 16; ++j) {
    codes[j] = qs[j] & 0xF;
    codes[j + 16] = qs[j] >> 4;
  }
}

/// Adds bit j of the 32-bit `qh` as bit 4 of code j (Q5_0, Q5_1).
static void addFifthBits(uint32_t qh, uint8_t *codes) {
  for (int j = 0; j < 32; ++j)
    codes[j] |= ((qh >> j) & 1) << 4;
}

// block_q4_0 { f16 d; u8 qs[16]; }: x = (q - 8) * d.
static void decodeQ4_0(const uint8_t *b, uint8_t *codes, double *scales,
                       double *zeros) {
  scales[0] = loadF16(b);
  zeros[0] = 8;
  splitNibbles(b + 2, codes);
}

// block_q4_1 { f16 d, m; u8 qs[16]; }: x = q * d + m.
static void decodeQ4_1(const uint8_t *b, uint8_t *codes, double *scales,
                       double *zeros) {
  scales[0] = loadF16(b);
  zeros[0] = -loadF16(b + 2);
  splitNibbles(b + 4, codes);
}

// block_q5_0 { f16 d; u8 qh[4]; u8 qs[16]; }: x = (q - 16) * d.
static void decodeQ5_0(const uint8_t *b, uint8_t *codes, double *scales,
                       double *zeros) {
  scales[0] = loadF16(b);
  zeros[0] = 16;
  splitNibbles(b + 6, codes);
  addFifthBits(loadU32(b + 2), codes);
}

// block_q5_1 { f16 d, m; u8 qh[4]; u8 qs[16]; }: x = q * d + m.
static void decodeQ5_1(const uint8_t *b, uint8_t *codes, double *scales,
                       double *zeros) {
  scales[0] = loadF16(b);
  zeros[0] = -loadF16(b + 2);
  splitNibbles(b + 8, codes);
  addFifthBits(loadU32(b + 4), codes);
}

// block_q8_0 { f16 d; i8 qs[32]; }: x = q * d.
static void decodeQ8_0(const uint8_t *b, uint8_t *codes, double *scales,
                       double *) {
  scales[0] = loadF16(b);
  for (int j = 0; j < 32; ++j)
    codes[j] = b[2 + j];
}

// block_q2_K { u8 scales[16]; u8 qs[64]; f16 d, dmin; }: 16 groups of 16,
// x = (d * (sc & 15)) * q - dmin * (sc >> 4). Element e of the super-block
// is the 2 bits at 2 * j of qs[32 * h + t], with e = 128 h + 32 j + t.
static void decodeQ2_K(const uint8_t *b, uint8_t *codes, double *scales,
                       double *zeros) {
  const uint8_t *sc = b, *qs = b + 16;
  double d = loadF16(b + 80), dmin = loadF16(b + 82);
  for (int g = 0; g < 16; ++g) {
    scales[g] = d * (sc[g] & 0xF);
    zeros[g] = dmin * (sc[g] >> 4);
  }
  for (int e = 0; e < kQK; ++e) {
    int h = e / 128, j = e % 128 / 32, t = e % 32;
    codes[e] = (qs[32 * h + t] >> (2 * j)) & 3;
  }
}

// block_q3_K { u8 hmask[32]; u8 qs[64]; u8 scales[12]; f16 d; }: 16 groups
// of 16 with 6-bit scales sc (low nibbles in bytes 0..7, high pairs in
// bytes 8..11), x = (d * (sc - 32)) * (q - 4) where the 3-bit q is the
// 2 bits of qs as in Q2_K plus, as bit 2, bit 4 h + j of hmask[t].
static void decodeQ3_K(const uint8_t *b, uint8_t *codes, double *scales,
                       double *zeros) {
  const uint8_t *hmask = b, *qs = b + 32, *packed = b + 96;
  double d = loadF16(b + 108);
  for (int g = 0; g < 16; ++g) {
    int low = g < 8 ? packed[g] & 0xF : packed[g - 8] >> 4;
    int high = (packed[8 + g % 4] >> (2 * (g / 4))) & 3;
    scales[g] = d * ((low | high << 4) - 32);
    zeros[g] = 4;
  }
  for (int e = 0; e < kQK; ++e) {
    int h = e / 128, j = e % 128 / 32, t = e % 32;
    int low = (qs[32 * h + t] >> (2 * j)) & 3;
    int high = (hmask[t] >> (4 * h + j)) & 1;
    codes[e] = low | high << 2;
  }
}

/// get_scale_min_k4: the 6-bit scale and min of group j (0..7) of a Q4_K or
/// Q5_K super-block.
static void getScaleMinK4(int j, const uint8_t *q, int &scale, int &min) {
  if (j < 4) {
    scale = q[j] & 63;
    min = q[j + 4] & 63;
  } else {
    scale = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
    min = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
  }
}

/// The 8 groups of 32 of Q4_K and Q5_K: x = (d * sc) * q - dmin * m.
static void decodeK4Groups(const uint8_t *b, double *scales, double *zeros) {
  double d = loadF16(b), dmin = loadF16(b + 2);
  for (int g = 0; g < 8; ++g) {
    int scale, min;
    getScaleMinK4(g, b + 4, scale, min);
    scales[g] = d * scale;
    zeros[g] = dmin * min;
  }
}

// block_q4_K { f16 d, dmin; u8 scales[12]; u8 qs[128]; }: element
// 64 c + r is the low (r < 32) or high nibble of qs[32 c + r % 32].
static void decodeQ4_K(const uint8_t *b, uint8_t *codes, double *scales,
                       double *zeros) {
  decodeK4Groups(b, scales, zeros);
  const uint8_t *qs = b + 16;
  for (int e = 0; e < kQK; ++e) {
    uint8_t byte = qs[32 * (e / 64) + e % 32];
    codes[e] = e % 64 < 32 ? byte & 0xF : byte >> 4;
  }
}

// block_q5_K { f16 d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]; }: the
// nibbles of Q4_K plus, as bit 4, bit e / 32 of qh[e % 32].
static void decodeQ5_K(const uint8_t *b, uint8_t *codes, double *scales,
                       double *zeros) {
  decodeK4Groups(b, scales, zeros);
  const uint8_t *qh = b + 16, *qs = b + 48;
  for (int e = 0; e < kQK; ++e) {
    uint8_t byte = qs[32 * (e / 64) + e % 32];
    int low = e % 64 < 32 ? byte & 0xF : byte >> 4;
    codes[e] = low | ((qh[e % 32] >> (e / 32)) & 1) << 4;
  }
}

// block_q6_K { u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d; }: 16 groups of
// 16, x = (d * sc) * (q - 32). With e = 128 h + 32 s + l, the low nibble of
// q is in ql[64 h + 32 (s & 1) + l] (high nibble for s >= 2) and its top two
// bits are the bits at 2 s of qh[32 h + l].
static void decodeQ6_K(const uint8_t *b, uint8_t *codes, double *scales,
                       double *zeros) {
  const uint8_t *ql = b, *qh = b + 128, *sc = b + 192;
  double d = loadF16(b + 208);
  for (int g = 0; g < 16; ++g) {
    scales[g] = d * int8_t(sc[g]);
    zeros[g] = 32;
  }
  for (int e = 0; e < kQK; ++e) {
    int h = e / 128, s = e % 128 / 32, l = e % 32;
    uint8_t byte = ql[64 * h + 32 * (s & 1) + l];
    int low = s >= 2 ? byte >> 4 : byte & 0xF;
    int high = (qh[32 * h + l] >> (2 * s)) & 3;
    codes[e] = low | high << 4;
  }
}

/// One base-3 digit of TQ1_0: the top trit of the byte times 3^n, as ggml
/// extracts it (q * 3 >> 8 of the byte's wrapped product).
static uint8_t tritOf(uint8_t byte, int n) {
  static const uint8_t pow3[5] = {1, 3, 9, 27, 81};
  uint8_t q = uint8_t(byte * pow3[n]);
  return uint8_t((uint16_t(q) * 3) >> 8);
}

// block_tq1_0 { u8 qs[48]; u8 qh[4]; f16 d; }: five trits per byte of qs
// (elements 32 n + m of qs[m] for m < 32, then 160 + 16 n + m of
// qs[32 + m]) and four per byte of qh (240 + 4 n + j); x = (t - 1) * d,
// i.e. the ternary code t times d.
static void decodeTQ1_0(const uint8_t *b, uint8_t *codes, double *scales,
                        double *) {
  const uint8_t *qs = b, *qh = b + 48;
  scales[0] = loadF16(b + 52);
  for (int n = 0; n < 5; ++n)
    for (int m = 0; m < 32; ++m)
      codes[32 * n + m] = tritOf(qs[m], n);
  for (int n = 0; n < 5; ++n)
    for (int m = 0; m < 16; ++m)
      codes[160 + 16 * n + m] = tritOf(qs[32 + m], n);
  for (int n = 0; n < 4; ++n)
    for (int j = 0; j < 4; ++j)
      codes[240 + 4 * n + j] = tritOf(qh[j], n);
}

// block_tq2_0 { u8 qs[64]; f16 d; }: element 128 h + 32 l + m is the 2 bits
// at 2 l of qs[32 h + m]; x = (q - 1) * d.
static void decodeTQ2_0(const uint8_t *b, uint8_t *codes, double *scales,
                        double *) {
  scales[0] = loadF16(b + 64);
  for (int e = 0; e < kQK; ++e) {
    int h = e / 128, l = e % 128 / 32, m = e % 32;
    codes[e] = (b[32 * h + m] >> (2 * l)) & 3;
  }
}

// block_mxfp4 { u8 e; u8 qs[16]; }: x = kvalues_mxfp4[q] * 2^(e - 128),
// where kvalues_mxfp4 are the e2m1 values doubled, i.e. e2m1(q) * 2^(e-127)
// with the nibbles ordered as in Q4_0.
static void decodeMXFP4(const uint8_t *b, uint8_t *codes, double *scales,
                        double *) {
  scales[0] = numerics::decodeScale(b[0], ScaleType::E8M0);
  splitNibbles(b + 1, codes);
}

std::optional<GgmlBlockMapping>
lowbit::import::getGgmlBlockMapping(uint32_t type) {
  auto mapping = [](Format format, ScaleType scale, ZeroPointMode zero,
                    int64_t group, GgmlBlockDecodeFn decode) {
    return GgmlBlockMapping{std::move(format), scale, zero, group, decode};
  };
  const ZeroPointMode none = ZeroPointMode::None,
                      integer = ZeroPointMode::Integer,
                      real = ZeroPointMode::Float;
  switch (type) {
  case 2: // Q4_0
    return mapping(Format::unsignedInt(4), ScaleType::F16, integer, 32,
                   decodeQ4_0);
  case 3: // Q4_1
    return mapping(Format::unsignedInt(4), ScaleType::F16, real, 32,
                   decodeQ4_1);
  case 6: // Q5_0
    return mapping(Format::unsignedInt(5), ScaleType::F16, integer, 32,
                   decodeQ5_0);
  case 7: // Q5_1
    return mapping(Format::unsignedInt(5), ScaleType::F16, real, 32,
                   decodeQ5_1);
  case 8: // Q8_0
    return mapping(Format::signedInt(8), ScaleType::F16, none, 32, decodeQ8_0);
  case 10: // Q2_K
    return mapping(Format::unsignedInt(2), ScaleType::F32, real, 16,
                   decodeQ2_K);
  case 11: // Q3_K
    return mapping(Format::unsignedInt(3), ScaleType::F32, integer, 16,
                   decodeQ3_K);
  case 12: // Q4_K
    return mapping(Format::unsignedInt(4), ScaleType::F32, real, 32,
                   decodeQ4_K);
  case 13: // Q5_K
    return mapping(Format::unsignedInt(5), ScaleType::F32, real, 32,
                   decodeQ5_K);
  case 14: // Q6_K
    return mapping(Format::unsignedInt(6), ScaleType::F32, integer, 16,
                   decodeQ6_K);
  case 34: // TQ1_0
    return mapping(Format::ternary(), ScaleType::F16, none, kQK, decodeTQ1_0);
  case 35: // TQ2_0
    return mapping(Format::ternary(), ScaleType::F16, none, kQK, decodeTQ2_0);
  case 39: // MXFP4
    return mapping(Format::floatCode(2, 1, numerics::FloatConvention::Finite),
                   ScaleType::E8M0, none, 32, decodeMXFP4);
  default:
    return std::nullopt;
  }
}
