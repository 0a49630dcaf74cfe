//===- CpuLutKernel.cpp - Table-lookup CPU kernels ------------------------===//
//
// The Lut strategy (T-MAC style, bit-serial): weights are stored as bit
// planes (numerics::planeLayout), activations become, per group of four,
// tables of the 16 signed sums +-x0 +-x1 +-x2 +-x3, and each plane's index
// nibbles look those sums up. A weight value is a signed combination of its
// bits, so the matmul is a weighted sum of lookups plus a multiple of the
// activation sums. docs/lut-kernels.md derives the formulas below.
//
//===----------------------------------------------------------------------===//

#include "CpuLutKernel.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <sstream>

using namespace lowbit;
using namespace lowbit::cpu;
using numerics::FormatKind;
using numerics::ZeroPointMode;

namespace {

/// Rows per tile of the plane layout: one 256-bit vector of index bytes.
constexpr unsigned kTileRows = 32;
/// Activations per table in the int8 (vector) kernels: one index nibble,
/// a 16-entry vpshufb or tbl table.
constexpr int64_t kVectorTableWidth = 4;
/// Elements per column of the plane layout: two nibbles of one byte.
constexpr int64_t kColumn = 8;
/// Int8 table sums add up in int16 lanes, at most 2 * 127 per column, so a
/// table block (one int8 scale) spans at most 128 columns.
constexpr int64_t kMaxTableBlock = 128 * kColumn;
/// Lookup streams sharing one pass over a table block's columns (two int16
/// accumulators each). More share the table loads but spill on AVX2: 2 ran
/// 15 % faster than 4 on Zen 1.
constexpr size_t kStreamsPerPass = 2;

/// Which index nibbles a lookup stream reads: plane `plane` alone, or
/// restricted to the elements whose top (sign) bit is set or clear.
enum class Nibbles { Plane, AndTop, AndNotTop };

/// One weighted lookup stream: sum over the elements of a table block of
/// table[nibbles], times sign * 2^exponent, into the positive (or, for
/// asym-fp, negative) part of the group's dot product.
struct Stream {
  Nibbles nibbles;
  unsigned plane;
  unsigned exponent;
  bool subtract;
  bool negativePart;
};

/// How a group's dot product sum_k x_k v_k is assembled from lookups into
/// the symmetric tables T'[p] = sum_j (2 bit_j(p) - 1) x_j:
///   part = 1/2 * sum over its streams of +-2^e * lookups + constant * xsum.
struct LutPlan {
  std::vector<Stream> streams;
  double positiveConstant = 0, negativeConstant = 0;
};

bool isAsym(const KernelSpec &spec) {
  return spec.scheme.zeroPoint == ZeroPointMode::AsymFloat;
}

/// Each bit b_i of a code enters as T[p] = (T'[p] + sum_j x_j) / 2, so a
/// value that is a linear function sum_i w_i b_i + c of its bits gives
/// 1/2 sum_i w_i L'_i + (sum_i w_i / 2 + c) xsum.
LutPlan planStreams(const KernelSpec &spec) {
  LutPlan plan;
  unsigned bits = spec.weight.bits();
  unsigned top = bits - 1;
  auto add = [&](Nibbles nibbles, unsigned plane, unsigned exponent,
                 bool subtract, bool negativePart) {
    plan.streams.push_back({nibbles, plane, exponent, subtract, negativePart});
  };
  switch (spec.weight.kind()) {
  case FormatKind::UnsignedInt:
    // v = sum_i 2^i b_i.
    for (unsigned i = 0; i < bits; ++i)
      add(Nibbles::Plane, i, i, false, false);
    plan.positiveConstant = (std::ldexp(1.0, bits) - 1) / 2;
    break;
  case FormatKind::SignedInt:
    if (isAsym(spec)) {
      // v+ = (1 - b_top) low, v- = b_top (low - 2^top), low = the code's
      // low bits: masked lookups.
      for (unsigned i = 0; i < top; ++i) {
        add(Nibbles::AndNotTop, i, i, false, false);
        add(Nibbles::AndTop, i, i, false, true);
      }
      add(Nibbles::Plane, top, top, true, true);
      plan.positiveConstant = (std::ldexp(1.0, top) - 1) / 2;
      plan.negativeConstant = -0.5;
      break;
    }
    // Two's complement: v = sum_{i<top} 2^i b_i - 2^top b_top.
    for (unsigned i = 0; i < bits; ++i)
      add(Nibbles::Plane, i, i, i == top, false);
    plan.positiveConstant = -0.5;
    break;
  default:
    // Ternary: codes 0, 1, 2 are -1, 0, +1, so b_0 = [v = 0], b_1 = [v = 1].
    if (isAsym(spec)) {
      // v+ = b_1, v- = b_0 + b_1 - 1.
      add(Nibbles::Plane, 1, 0, false, false);
      add(Nibbles::Plane, 0, 0, false, true);
      add(Nibbles::Plane, 1, 0, false, true);
      plan.positiveConstant = 0.5;
      plan.negativeConstant = 0.0;
      break;
    }
    // v = b_0 + 2 b_1 - 1.
    add(Nibbles::Plane, 0, 0, false, false);
    add(Nibbles::Plane, 1, 1, false, false);
    plan.positiveConstant = 0.5;
    break;
  }
  return plan;
}

/// Elements sharing one int8 table scale: the largest divisor of the group
/// that is a whole number of columns and keeps int16 sums from overflowing.
int64_t tableBlock(int64_t group) {
  for (int64_t block = std::min(group, kMaxTableBlock); block >= kColumn;
       block -= kColumn)
    if (group % block == 0)
      return block;
  return kColumn;
}

/// Concatenates the printed forms of its arguments.
template <typename... Args> std::string cat(const Args &...args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

const char *memoryType(ScalarType type) {
  return type == ScalarType::F32 ? "float" : "uint16_t";
}

class LutPrinter {
public:
  explicit LutPrinter(const KernelSpec &spec)
      : spec(spec), plan(planStreams(spec)), bits(spec.weight.bits()),
        group(groupSize(spec)), groups(spec.k / group),
        block(tableBlock(group)),
        bytesPerRow(weightLayout(spec).wordsPerRow(spec.k) * 4) {}

  std::string print();

private:
  void printPrelude();
  void printTables();
  void printVectorTraits();
  void printNeonTraits();
  void printVectorTile();
  void printScalarRow();
  void printStore(std::string_view indent, std::string_view acc,
                  std::string_view row, std::string_view n);
  void printEpilogueOperands(std::string_view indent);
  void printEntry();
  /// The index bytes of stream `stream` at byte `offset` of column `col`:
  /// `load(plane)` prints one plane's load.
  std::string nibbles(const Stream &stream,
                      const std::function<std::string(unsigned)> &load,
                      std::string_view andOp, std::string_view andNotOp);

  /// The int8-table kernels of the vector ISAs; otherwise the exact f32
  /// table kernel (portable C++, for any ISA).
  bool vector() const {
    return spec.isa != Isa::Scalar && !spec.lut.exactTables;
  }
  int tableWidth() const { return spec.lut.group; }
  bool hasZero() const {
    return spec.scheme.zeroPoint == ZeroPointMode::Integer ||
           spec.scheme.zeroPoint == ZeroPointMode::Float;
  }

  const KernelSpec &spec;
  LutPlan plan;
  unsigned bits;
  int64_t group, groups, block, bytesPerRow;
  std::ostringstream os;
};

std::string
LutPrinter::nibbles(const Stream &stream,
                    const std::function<std::string(unsigned)> &load,
                    std::string_view andOp, std::string_view andNotOp) {
  std::string plane = load(stream.plane), top = load(bits - 1);
  switch (stream.nibbles) {
  case Nibbles::Plane:
    return plane;
  case Nibbles::AndTop:
    return cat(andOp, "(", plane, ", ", top, ")");
  case Nibbles::AndNotTop:
    return cat(andNotOp, "(", top, ", ", plane, ")");
  }
  return plane;
}

void LutPrinter::printPrelude() {
  int64_t fullTiles = spec.n / kTileRows, tail = spec.n % kTileRows;
  os << "// Generated by lowbit: kernel " << spec.name << ": y[M, " << spec.n
     << "] = x[M, " << spec.k << "] * dequant(W[" << spec.n << ", " << spec.k
     << "])^T by table lookup\n"
     << "// weights " << spec.weight.name() << ", group " << group
     << ", scales " << numerics::scaleTypeName(spec.scheme.scaleType)
     << ", zero point " << numerics::zeroPointModeName(spec.scheme.zeroPoint)
     << (spec.scheme.tensorScale ? ", tensor scale" : "") << "\n"
     << "// isa " << isaName(spec.isa) << " (compile with -O3 "
     << isaCompileFlags(spec.isa) << " -fopenmp), activations "
     << scalarTypeName(spec.activation) << ", output "
     << scalarTypeName(spec.output) << "\n"
     << "// weight layout: " << bits
     << " bit planes in tiles of 32 rows (the last of " << spec.n % kTileRows
     << "), " << bytesPerRow
     << " bytes per row; byte (c * BITS + i) * R + r of a tile of R rows\n"
     << "// holds bit i of elements 8c..8c+7 of its row r (element 8c + j at "
        "bit j)\n"
     << "// tables: per " << tableWidth()
     << " activations, T[p] = sum_j (bit j of p ? x_j : -x_j)"
     << (vector() ? cat(", int8 with one scale per ", block, " activations")
                  : std::string(", exact f32"))
     << "\n";
  if (spec.epilogue)
    os << "// fused epilogue with " << spec.epilogue->operands.size()
       << " operand(s)\n";
  os << "\n#include <stdint.h>\n#include <stdlib.h>\n#include "
        "<string.h>\n#include <math.h>\n";
  // The x86 vector ISAs also load f16 scales with F16C in exact kernels.
  if (spec.isa == Isa::Neon && vector())
    os << "#include <arm_neon.h>\n";
  else if (spec.isa == Isa::AVX2 || spec.isa == Isa::AVX512)
    os << "#include <immintrin.h>\n";
  os << "\nnamespace " << spec.name << "_impl {\n\n"
     << "constexpr int64_t N = " << spec.n << ";\n"
     << "constexpr int64_t K = " << spec.k << ";\n"
     << "constexpr int64_t GROUP = " << group << ";\n"
     << "constexpr int64_t GROUPS = " << groups << ";\n"
     << "constexpr int BITS = " << bits << ";\n"
     << "// Tables of TG activations (TSIZE sums each) along K; columns of 8.\n"
     << "constexpr int TG = " << tableWidth() << ";\n"
     << "constexpr int TSIZE = " << (1 << tableWidth()) << ";\n"
     << "constexpr int64_t CHUNKS = " << spec.k / tableWidth() << ";\n"
     << "constexpr int64_t TILE = " << kTileRows << ";\n"
     << "constexpr int64_t FULL_TILES = " << fullTiles << ";\n"
     << "constexpr int64_t TAIL = " << tail << ";\n"
     << "constexpr int64_t BYTES_PER_ROW = " << bytesPerRow << ";\n";
  if (vector())
    os << "// Activations per int8 table scale.\n"
       << "constexpr int64_t TBLOCK = " << block << ";\n"
       << "constexpr int64_t TBLOCKS = K / TBLOCK;\n"
       << "constexpr int64_t TBLOCK_COLS = TBLOCK / 8;\n"
       << "constexpr int64_t TILES = FULL_TILES + (TAIL > 0);\n";
  else
    os << "constexpr int64_t GROUP_COLS = GROUP / 8;\n";
  os << "\n";
}

void LutPrinter::printTables() {
  os << R"cpp(// The TSIZE sums +-x0 +-x1 ... +-x[TG-1] of TG activations, summed in
// order; the sum of pattern ~p is exactly the negation of the sum of p.
inline void chunkTable(const float *x, float *t) {
  for (int p = 0; p < TSIZE; ++p) {
    float s = (p & 1) ? x[0] : -x[0];
    for (int j = 1; j < TG; ++j) s += ((p >> j) & 1) ? x[j] : -x[j];
    t[p] = s;
  }
}

)cpp";
  if (!vector())
    return;
  os << R"cpp(// Quantizes the tables of one block of TBLOCK activations to int8 with one
// scale, max |T| / 127, rounding to nearest even (symmetric: T[~p] stays
// -T[p]). Stores half the scale, the factor of every lookup.
inline void quantizeBlock(const float *x, int8_t *q, float *halfScale) {
  float amax = 0.0f;
  for (int64_t c = 0; c < TBLOCK / 4; ++c) {
    float t[16];
    chunkTable(x + 4 * c, t);
    for (int p = 0; p < 16; ++p) amax = fabsf(t[p]) > amax ? fabsf(t[p]) : amax;
  }
  const float inv = amax > 0.0f ? 127.0f / amax : 0.0f;
  for (int64_t c = 0; c < TBLOCK / 4; ++c) {
    float t[16];
    chunkTable(x + 4 * c, t);
    for (int p = 0; p < 16; ++p) q[16 * c + p] = int8_t(nearbyintf(t[p] * inv));
  }
  *halfScale = 0.5f * (amax / 127.0f);
}

)cpp";
}

void LutPrinter::printVectorTraits() {
  // Every tile reads its rows' scales once: F16C (NEON's fcvtl) converts
  // f16 eight (four) at a time, exactly, like f16ToF32.
  bool f16 = spec.scheme.scaleType == numerics::ScaleType::F16;
  bool neon = spec.isa == Isa::Neon;
  int64_t step = neon ? 4 : 8;
  os << "// dst[g * stride] = scale g of a row times mul, for every group.\n"
     << "inline void scaleRow(const ScaleT *src, float mul, float *dst, "
        "int64_t stride) {\n"
     << "  int64_t g = 0;\n";
  if (f16 && neon)
    os << "  for (; g + 4 <= GROUPS; g += 4) {\n"
       << "    float t[4];\n"
       << "    vst1q_f32(t, vmulq_n_f32(vcvt_f32_f16(vreinterpret_f16_u16("
          "vld1_u16(src + g))), mul));\n"
       << "    for (int i = 0; i < 4; ++i) dst[(g + i) * stride] = t[i];\n"
       << "  }\n";
  else if (f16)
    os << "  for (; g + 8 <= GROUPS; g += 8) {\n"
       << "    alignas(32) float t[8];\n"
       << "    _mm256_store_ps(t, "
          "_mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128("
          "(const __m128i *)(src + g))), _mm256_set1_ps(mul)));\n"
       << "    for (int i = 0; i < 8; ++i) dst[(g + i) * stride] = t[i];\n"
       << "  }\n";
  // No remainder loop when there is no remainder: GCC warns about the
  // empty loop's induction variable otherwise.
  bool remainder = !f16 || (spec.k / groupSize(spec)) % step != 0;
  if (remainder)
    os << "  for (; g < GROUPS; ++g) dst[g * stride] = "
       << (f16 && !neon ? "_cvtsh_ss(src[g])" : "loadScale(src[g])") << " * mul;\n";
  else
    os << "  (void)g;\n";
  os << "}\n\n";
  if (neon) {
    printNeonTraits();
    return;
  }
  // The AVX2 tile is one 32-byte vector of index bytes (32 rows); AVX-512
  // joins two tiles in one 64-byte vector (64 rows). vpshufb looks up 16-byte
  // tables per 128-bit lane, so all lanes get the same table; the int8 sums
  // of the two nibbles (two chunks) are paired by unpack and added into int16
  // by vpmaddubsw against ones. The int16 lanes then hold the rows in the
  // order that rowOfSlot gives.
  os << R"cpp(struct V256 {
  typedef __m256i I;
  typedef __m256 F;
  static constexpr int SLOTS = 32, FL = 8;
  // unpacklo/unpackhi interleave within 128-bit lanes: slots 0-7 are rows
  // 0-7, then 16-23, 8-15, 24-31.
  static int rowOfSlot(int s) {
    const int w = s % 16;
    return s / 16 * 8 + w + (w >= 8 ? 8 : 0);
  }
  static I zero() { return _mm256_setzero_si256(); }
  static I load(const uint8_t *a, const uint8_t *, int64_t offset) {
    return _mm256_loadu_si256((const __m256i *)(a + offset));
  }
  static I andBits(I a, I b) { return _mm256_and_si256(a, b); }
  static I andNotBits(I a, I b) { return _mm256_andnot_si256(a, b); }
  static void tables(const int8_t *tab, I &tl, I &th) {
    tl = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)tab));
    th = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(tab + 16)));
  }
  static void lookup(I idx, I tl, I th, I &a0, I &a1) {
    const I mask = _mm256_set1_epi8(0x0f), ones = _mm256_set1_epi8(1);
    const I r0 = _mm256_shuffle_epi8(tl, _mm256_and_si256(idx, mask));
    const I r1 = _mm256_shuffle_epi8(th, _mm256_and_si256(_mm256_srli_epi16(idx, 4), mask));
    a0 = _mm256_add_epi16(a0, _mm256_maddubs_epi16(ones, _mm256_unpacklo_epi8(r0, r1)));
    a1 = _mm256_add_epi16(a1, _mm256_maddubs_epi16(ones, _mm256_unpackhi_epi8(r0, r1)));
  }
  static void widen(I a0, I a1, I out[4]) {
    out[0] = _mm256_cvtepi16_epi32(_mm256_castsi256_si128(a0));
    out[1] = _mm256_cvtepi16_epi32(_mm256_extracti128_si256(a0, 1));
    out[2] = _mm256_cvtepi16_epi32(_mm256_castsi256_si128(a1));
    out[3] = _mm256_cvtepi16_epi32(_mm256_extracti128_si256(a1, 1));
  }
  static I add32(I a, I b) { return _mm256_add_epi32(a, b); }
  static I sub32(I a, I b) { return _mm256_sub_epi32(a, b); }
  static I shl32(I a, int n) { return _mm256_slli_epi32(a, n); }
  static F zerof() { return _mm256_setzero_ps(); }
  static F set1(float v) { return _mm256_set1_ps(v); }
  static F loadf(const float *p) { return _mm256_load_ps(p); }
  static void storef(float *p, F v) { _mm256_store_ps(p, v); }
  static F cvt(I a) { return _mm256_cvtepi32_ps(a); }
  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F fmadd(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F fnmadd(F a, F b, F c) { return _mm256_fnmadd_ps(a, b, c); }
};

)cpp";
  if (spec.isa != Isa::AVX512)
    return;
  os << R"cpp(struct V512 {
  typedef __m512i I;
  typedef __m512 F;
  static constexpr int SLOTS = 64, FL = 16;
  // Tile A in the low 256 bits, tile B (rows 32-63) in the high ones.
  static int rowOfSlot(int s) {
    const int j = s / 16, w = s % 16;
    return (j & 1) * 32 + (j >> 1) * 8 + w + (w >= 8 ? 8 : 0);
  }
  static I zero() { return _mm512_setzero_si512(); }
  static I load(const uint8_t *a, const uint8_t *b, int64_t offset) {
    return _mm512_inserti64x4(
        _mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(a + offset))),
        _mm256_loadu_si256((const __m256i *)(b + offset)), 1);
  }
  static I andBits(I a, I b) { return _mm512_and_si512(a, b); }
  static I andNotBits(I a, I b) { return _mm512_andnot_si512(a, b); }
  static void tables(const int8_t *tab, I &tl, I &th) {
    tl = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)tab));
    th = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(tab + 16)));
  }
  static void lookup(I idx, I tl, I th, I &a0, I &a1) {
    const I mask = _mm512_set1_epi8(0x0f), ones = _mm512_set1_epi8(1);
    const I r0 = _mm512_shuffle_epi8(tl, _mm512_and_si512(idx, mask));
    const I r1 = _mm512_shuffle_epi8(th, _mm512_and_si512(_mm512_srli_epi16(idx, 4), mask));
    a0 = _mm512_add_epi16(a0, _mm512_maddubs_epi16(ones, _mm512_unpacklo_epi8(r0, r1)));
    a1 = _mm512_add_epi16(a1, _mm512_maddubs_epi16(ones, _mm512_unpackhi_epi8(r0, r1)));
  }
  static void widen(I a0, I a1, I out[4]) {
    out[0] = _mm512_cvtepi16_epi32(_mm512_castsi512_si256(a0));
    out[1] = _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(a0, 1));
    out[2] = _mm512_cvtepi16_epi32(_mm512_castsi512_si256(a1));
    out[3] = _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(a1, 1));
  }
  static I add32(I a, I b) { return _mm512_add_epi32(a, b); }
  static I sub32(I a, I b) { return _mm512_sub_epi32(a, b); }
  static I shl32(I a, int n) { return _mm512_slli_epi32(a, n); }
  static F zerof() { return _mm512_setzero_ps(); }
  static F set1(float v) { return _mm512_set1_ps(v); }
  static F loadf(const float *p) { return _mm512_load_ps(p); }
  static void storef(float *p, F v) { _mm512_store_ps(p, v); }
  static F cvt(I a) { return _mm512_cvtepi32_ps(a); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F fmadd(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F fnmadd(F a, F b, F c) { return _mm512_fnmadd_ps(a, b, c); }
};

)cpp";
}

void LutPrinter::printNeonTraits() {
  // A tile of 32 rows is two 128-bit registers of index bytes. tbl looks up
  // 16-byte tables like vpshufb; the two nibbles' int8 sums widen into int16
  // with one vaddl per 8 rows, so slot s holds row s throughout. One struct
  // type carries the index bytes, the int16 and the int32 sums (as
  // reinterpreted registers), as one vector type does on x86.
  os << R"cpp(struct VNeon {
  struct I { int8x16_t v[2]; };
  struct F { float32x4_t v[2]; };
  static constexpr int SLOTS = 32, FL = 8;
  static int rowOfSlot(int s) { return s; }
  static I zero() { I r; r.v[0] = r.v[1] = vdupq_n_s8(0); return r; }
  static I load(const uint8_t *a, const uint8_t *, int64_t offset) {
    I r;
    r.v[0] = vreinterpretq_s8_u8(vld1q_u8(a + offset));
    r.v[1] = vreinterpretq_s8_u8(vld1q_u8(a + offset + 16));
    return r;
  }
  static I andBits(I a, I b) {
    I r;
    for (int h = 0; h < 2; ++h) r.v[h] = vandq_s8(a.v[h], b.v[h]);
    return r;
  }
  // ~a & b, as _mm256_andnot_si256(a, b).
  static I andNotBits(I a, I b) {
    I r;
    for (int h = 0; h < 2; ++h) r.v[h] = vbicq_s8(b.v[h], a.v[h]);
    return r;
  }
  static void tables(const int8_t *tab, I &tl, I &th) {
    tl.v[0] = tl.v[1] = vld1q_s8(tab);
    th.v[0] = th.v[1] = vld1q_s8(tab + 16);
  }
  // a0: int16 sums of rows 0-15, a1: rows 16-31.
  static void lookup(I idx, I tl, I th, I &a0, I &a1) {
    I *acc[2] = {&a0, &a1};
    for (int h = 0; h < 2; ++h) {
      const uint8x16_t u = vreinterpretq_u8_s8(idx.v[h]);
      const int8x16_t r0 = vqtbl1q_s8(tl.v[0], vandq_u8(u, vdupq_n_u8(15)));
      const int8x16_t r1 = vqtbl1q_s8(th.v[0], vshrq_n_u8(u, 4));
      const int16x8_t lo = vaddq_s16(vreinterpretq_s16_s8(acc[h]->v[0]),
                                     vaddl_s8(vget_low_s8(r0), vget_low_s8(r1)));
      const int16x8_t hi = vaddq_s16(vreinterpretq_s16_s8(acc[h]->v[1]),
                                     vaddl_high_s8(r0, r1));
      acc[h]->v[0] = vreinterpretq_s8_s16(lo);
      acc[h]->v[1] = vreinterpretq_s8_s16(hi);
    }
  }
  // out[j]: int32 sums of rows 8j..8j+7.
  static void widen(I a0, I a1, I out[4]) {
    const I *in[2] = {&a0, &a1};
    for (int j = 0; j < 4; ++j) {
      const int16x8_t v = vreinterpretq_s16_s8(in[j / 2]->v[j % 2]);
      out[j].v[0] = vreinterpretq_s8_s32(vmovl_s16(vget_low_s16(v)));
      out[j].v[1] = vreinterpretq_s8_s32(vmovl_high_s16(v));
    }
  }
  static I add32(I a, I b) {
    I r;
    for (int h = 0; h < 2; ++h)
      r.v[h] = vreinterpretq_s8_s32(vaddq_s32(vreinterpretq_s32_s8(a.v[h]), vreinterpretq_s32_s8(b.v[h])));
    return r;
  }
  static I sub32(I a, I b) {
    I r;
    for (int h = 0; h < 2; ++h)
      r.v[h] = vreinterpretq_s8_s32(vsubq_s32(vreinterpretq_s32_s8(a.v[h]), vreinterpretq_s32_s8(b.v[h])));
    return r;
  }
  static I shl32(I a, int n) {
    I r;
    for (int h = 0; h < 2; ++h)
      r.v[h] = vreinterpretq_s8_s32(vshlq_s32(vreinterpretq_s32_s8(a.v[h]), vdupq_n_s32(n)));
    return r;
  }
  static F zerof() { F r; r.v[0] = r.v[1] = vdupq_n_f32(0.0f); return r; }
  static F set1(float v) { F r; r.v[0] = r.v[1] = vdupq_n_f32(v); return r; }
  static F loadf(const float *p) { F r; r.v[0] = vld1q_f32(p); r.v[1] = vld1q_f32(p + 4); return r; }
  static void storef(float *p, F v) { vst1q_f32(p, v.v[0]); vst1q_f32(p + 4, v.v[1]); }
  static F cvt(I a) {
    F r;
    for (int h = 0; h < 2; ++h) r.v[h] = vcvtq_f32_s32(vreinterpretq_s32_s8(a.v[h]));
    return r;
  }
  static F add(F a, F b) {
    F r;
    for (int h = 0; h < 2; ++h) r.v[h] = vaddq_f32(a.v[h], b.v[h]);
    return r;
  }
  static F mul(F a, F b) {
    F r;
    for (int h = 0; h < 2; ++h) r.v[h] = vmulq_f32(a.v[h], b.v[h]);
    return r;
  }
  // a * b + c and c - a * b, as the x86 fmadd and fnmadd.
  static F fmadd(F a, F b, F c) {
    F r;
    for (int h = 0; h < 2; ++h) r.v[h] = vfmaq_f32(c.v[h], a.v[h], b.v[h]);
    return r;
  }
  static F fnmadd(F a, F b, F c) {
    F r;
    for (int h = 0; h < 2; ++h) r.v[h] = vfmsq_f32(c.v[h], a.v[h], b.v[h]);
    return r;
  }
};

)cpp";
}

void LutPrinter::printStore(std::string_view indent, std::string_view acc,
                            std::string_view row, std::string_view n) {
  os << indent << "const float v = " << acc
     << (spec.bias ? cat(" + loadOut(bias[", n, "])") : std::string()) << ";\n"
     << indent << "y[" << row << " * N + " << n << "] = storeOut(";
  if (!spec.epilogue) {
    os << "v);\n";
    return;
  }
  os << "epilogue(v";
  for (size_t i = 0; i < spec.epilogue->operands.size(); ++i) {
    const EpilogueOperand &operand = spec.epilogue->operands[i];
    std::string element = operand.shape == EpilogueShape::N
                              ? cat("ep", i, "[", n, "]")
                              : cat("ep", i, "[", row, " * N + ", n, "]");
    os << ", " << epilogueLoad(operand.type, element);
  }
  os << "));\n";
}

void LutPrinter::printVectorTile() {
  bool asym = isAsym(spec);
  const char *out = memoryType(spec.output);
  os << "// Rows n0.. (`rows` of them, at most V::SLOTS) from the tiles at wa "
        "and wb\n"
     << "// (wb: AVX-512 only), for all m activation rows. yacc: m * "
        "V::SLOTS floats.\n"
     << "template <class V>\n"
     << "void tileKernel(const uint8_t *wa, const uint8_t *wb, int64_t n0, int "
        "rows, int64_t m, const int8_t *tq, const float *tsc, const float "
        "*xsum, const ScaleT *scales, const float *zeros, const ScaleT "
        "*negScales, float scaleMul, float *yacc, const "
     << out << " *bias, " << out << " *y"
     << (spec.epilogue ? cat(", const void *const *epilogueOperands") : "")
     << ") {\n"
     << "  typedef typename V::I I;\n  typedef typename V::F F;\n"
     << "  (void)zeros; (void)negScales; (void)bias;\n"
     << "  // The tile's scales and zeros for every group, converted once and "
        "laid\n  // out by slot: row by row, as they lie in memory.\n"
     << "  float *sT = yacc + m * V::SLOTS, *snT = sT + GROUPS * V::SLOTS, "
        "*zT = snT + GROUPS * V::SLOTS;\n"
     << "  (void)snT; (void)zT;\n"
     << "  for (int s = 0; s < V::SLOTS; ++s) {\n"
     << "    const int row = V::rowOfSlot(s);\n"
     << "    const int64_t at = (n0 + (row < rows ? row : 0)) * GROUPS;\n"
     << "    const float mul = row < rows ? scaleMul : 0.0f;\n"
     << "    scaleRow(scales + at, mul, sT + s, V::SLOTS);\n";
  if (asym)
    os << "    scaleRow(negScales + at, mul, snT + s, V::SLOTS);\n";
  if (hasZero())
    os << "    for (int64_t g = 0; g < GROUPS; ++g) zT[g * V::SLOTS + s] = row "
          "< rows ? zeros[at + g] : 0.0f;\n";
  os << "  }\n"
     << "  for (int64_t i = 0; i < m * V::SLOTS; ++i) yacc[i] = 0.0f;\n"
     << "  for (int64_t g = 0; g < GROUPS; ++g) {\n"
     << "    const float *sbuf = sT + g * V::SLOTS, *snbuf = snT + g * "
        "V::SLOTS, *zbuf = zT + g * V::SLOTS;\n"
     << "    (void)snbuf; (void)zbuf;\n";
  os << "    for (int64_t mi = 0; mi < m; ++mi) {\n"
     << "      F pos[4], neg[4];\n"
     << "      for (int j = 0; j < 4; ++j) { pos[j] = V::zerof(); neg[j] = "
        "V::zerof(); }\n"
     << "      for (int64_t blk = g * (GROUP / TBLOCK); blk < (g + 1) * (GROUP "
        "/ TBLOCK); ++blk) {\n"
     << "        I p32[4], n32[4], w32[4];\n"
     << "        for (int j = 0; j < 4; ++j) { p32[j] = V::zero(); n32[j] = "
        "V::zero(); }\n"
     << "        const int8_t *tab = tq + mi * CHUNKS * 16;\n"
     << "        const int64_t c0 = blk * TBLOCK_COLS, c1 = c0 + "
        "TBLOCK_COLS;\n";
  // Streams in passes of up to kStreamsPerPass over the block's columns:
  // each pass reads the columns in order and shares their table loads;
  // its 2 accumulators per stream stay in registers.
  auto load = [&](unsigned plane) {
    return cat("V::load(wa, wb, (c * BITS + ", plane, ") * TILE)");
  };
  for (size_t first = 0; first < plan.streams.size();
       first += kStreamsPerPass) {
    size_t last = std::min(plan.streams.size(), first + kStreamsPerPass);
    os << "        {\n          I a[" << 2 * (last - first) << "];\n"
       << "          for (int i = 0; i < " << 2 * (last - first)
       << "; ++i) a[i] = V::zero();\n"
       << "          for (int64_t c = c0; c < c1; ++c) {\n"
       << "            I tl, th;\n"
       << "            V::tables(tab + 32 * c, tl, th);\n";
    for (size_t i = first; i < last; ++i)
      os << "            V::lookup("
         << nibbles(plan.streams[i], load, "V::andBits", "V::andNotBits")
         << ", tl, th, a[" << 2 * (i - first) << "], a[" << 2 * (i - first) + 1
         << "]);\n";
    os << "          }\n";
    for (size_t i = first; i < last; ++i) {
      const Stream &stream = plan.streams[i];
      const char *target = stream.negativePart ? "n32" : "p32";
      os << "          V::widen(a[" << 2 * (i - first) << "], a["
         << 2 * (i - first) + 1 << "], w32);\n"
         << "          for (int j = 0; j < 4; ++j) " << target
         << "[j] = V::" << (stream.subtract ? "sub32" : "add32") << "("
         << target << "[j], "
         << (stream.exponent ? cat("V::shl32(w32[j], ", stream.exponent, ")")
                             : std::string("w32[j]"))
         << ");\n";
    }
    os << "        }\n";
  }
  os << "        const F t = V::set1(tsc[mi * TBLOCKS + blk]);\n"
     << "        for (int j = 0; j < 4; ++j) {\n"
     << "          pos[j] = V::fmadd(V::cvt(p32[j]), t, pos[j]);\n"
     << "          neg[j] = V::fmadd(V::cvt(n32[j]), t, neg[j]);\n"
     << "        }\n      }\n"
     << "      const float xs = xsum[mi * GROUPS + g];\n"
     << "      const F cp = V::set1(" << floatLiteral(plan.positiveConstant)
     << " * xs);\n";
  if (asym)
    os << "      const F cn = V::set1(" << floatLiteral(plan.negativeConstant)
       << " * xs);\n";
  if (spec.scheme.zeroPoint == ZeroPointMode::Integer ||
      spec.scheme.zeroPoint == ZeroPointMode::Float)
    os << "      const F vxs = V::set1(xs);\n";
  os << "      float *yrow = yacc + mi * V::SLOTS;\n"
     << "      for (int j = 0; j < 4; ++j) {\n"
     << "        const F s = V::loadf(sbuf + j * V::FL);\n"
     << "        F part = V::add(pos[j], cp);\n";
  switch (spec.scheme.zeroPoint) {
  case ZeroPointMode::None:
    break;
  case ZeroPointMode::Integer:
    os << "        part = V::fnmadd(V::loadf(zbuf + j * V::FL), vxs, part);\n";
    break;
  case ZeroPointMode::Float:
  case ZeroPointMode::AsymFloat:
    break;
  }
  os << "        F yv = V::fmadd(s, part, V::loadf(yrow + j * V::FL));\n";
  if (spec.scheme.zeroPoint == ZeroPointMode::Float)
    os << "        yv = V::fnmadd(V::loadf(zbuf + j * V::FL), vxs, yv);\n";
  if (asym)
    os << "        yv = V::fmadd(V::loadf(snbuf + j * V::FL), V::add(neg[j], "
          "cn), yv);\n";
  os << "        V::storef(yrow + j * V::FL, yv);\n"
     << "      }\n    }\n  }\n";
  if (spec.epilogue)
    printEpilogueOperands("  ");
  os << "  for (int64_t mi = 0; mi < m; ++mi)\n"
     << "    for (int s = 0; s < V::SLOTS; ++s) {\n"
     << "      const int row = V::rowOfSlot(s);\n"
     << "      if (row >= rows) continue;\n"
     << "      const int64_t n = n0 + row;\n";
  printStore("      ", "yacc[mi * V::SLOTS + s]", "mi", "n");
  os << "    }\n}\n\n";
}

void LutPrinter::printEpilogueOperands(std::string_view indent) {
  const std::vector<EpilogueOperand> &operands = spec.epilogue->operands;
  if (operands.empty())
    os << indent << "(void)epilogueOperands;\n";
  for (size_t i = 0; i < operands.size(); ++i) {
    const char *type = epilogueMemoryType(operands[i].type);
    os << indent << "const " << type << " *ep" << i << " = (const " << type
       << " *)epilogueOperands[" << i << "];\n";
  }
}

void LutPrinter::printScalarRow() {
  const char *out = memoryType(spec.output);
  size_t count = plan.streams.size();
  os << "// Row n of y for all m activation rows, with exact f32 tables tf.\n"
     << "inline void rowKernel(const uint8_t *wbytes, int64_t n, int64_t m, "
        "const float *tf, const float *xsum, const ScaleT *scales, const "
        "float *zeros, const ScaleT *negScales, float scaleMul, const "
     << out << " *bias, " << out << " *y"
     << (spec.epilogue ? ", const void *const *epilogueOperands" : "")
     << ") {\n"
     << "  (void)zeros; (void)negScales; (void)bias;\n";
  if (spec.epilogue)
    printEpilogueOperands("  ");
  os << "  const int64_t tile = n / TILE;\n"
     << "  const int64_t tileRows = tile < FULL_TILES ? TILE : TAIL;\n"
     << "  const uint8_t *base = wbytes + tile * TILE * BYTES_PER_ROW + n % "
        "TILE;\n"
     << "  for (int64_t mi = 0; mi < m; ++mi) {\n"
     << "    const float *tab = tf + mi * CHUNKS * TSIZE;\n"
     << "    float yv = 0.0f;\n"
     << "    for (int64_t g = 0; g < GROUPS; ++g) {\n"
     << "      float sum[" << count << "] = {};\n"
     << "      for (int64_t c = g * GROUP_COLS; c < (g + 1) * GROUP_COLS; "
        "++c) {\n"
     << "        const uint8_t *col = base + c * BITS * tileRows;\n"
     << "        const float *t = tab + c * (8 / TG) * TSIZE;\n";
  // A byte of index bits spans 8 / TG tables: field j indexes table j.
  int width = tableWidth();
  std::string lookups;
  for (int j = 0; j < 8 / width; ++j) {
    std::string field =
        width == 8 ? std::string("b")
                   : cat(j ? cat("(b >> ", j * width, ")") : std::string("b"),
                         " & ", (1 << width) - 1);
    lookups += cat(j ? " + " : "", "t[",
                   j ? cat(j, " * TSIZE + (", field, ")") : field, "]");
  }
  for (size_t i = 0; i < count; ++i) {
    auto load = [&](unsigned plane) {
      return cat("col[", plane, " * tileRows]");
    };
    os << "        {\n          const unsigned b = "
       << nibbles(plan.streams[i], load, "andBits", "andNotBits") << ";\n"
       << "          sum[" << i << "] += " << lookups << ";\n"
       << "        }\n";
  }
  os << "      }\n      const int64_t at = n * GROUPS + g;\n"
     << "      const float xs = xsum[mi * GROUPS + g];\n"
     << "      const float s = loadScale(scales[at]) * scaleMul;\n";
  // pos and neg: 1/2 sum of +-2^e * sum[i], plus the constant times xs.
  auto part = [&](bool negative) {
    std::string terms;
    for (size_t i = 0; i < count; ++i) {
      const Stream &stream = plan.streams[i];
      if (stream.negativePart != negative)
        continue;
      terms += cat(stream.subtract ? " - " : " + ",
                   floatLiteral(std::ldexp(0.5, stream.exponent)), " * sum[", i,
                   "]");
    }
    double constant = negative ? plan.negativeConstant : plan.positiveConstant;
    return cat(floatLiteral(constant), " * xs", terms);
  };
  os << "      const float pos = " << part(false) << ";\n";
  switch (spec.scheme.zeroPoint) {
  case ZeroPointMode::None:
    os << "      yv += s * pos;\n";
    break;
  case ZeroPointMode::Integer:
    os << "      yv += s * (pos - zeros[at] * xs);\n";
    break;
  case ZeroPointMode::Float:
    os << "      yv += s * pos - zeros[at] * xs;\n";
    break;
  case ZeroPointMode::AsymFloat:
    os << "      const float neg = " << part(true) << ";\n"
       << "      yv += s * pos + loadScale(negScales[at]) * scaleMul * neg;\n";
    break;
  }
  os << "    }\n    {\n";
  printStore("      ", "yv", "mi", "n");
  os << "    }\n  }\n}\n\n";
}

void LutPrinter::printEntry() {
  bool avx512 = spec.isa == Isa::AVX512;
  const char *traits = spec.isa == Isa::Neon ? "VNeon" : "V256";
  std::string epilogueArg = spec.epilogue ? ", epilogueOperands" : "";
  if (vector())
    os << "// Bit-plane index bytes of tile t (the short last tile padded to "
          "TILE rows).\n"
       << "inline const uint8_t *tileBytes(const uint8_t *wbytes, const "
          "uint8_t *tail, int64_t t) {\n"
       << "  return t < FULL_TILES ? wbytes + t * TILE * BYTES_PER_ROW : "
          "tail;\n"
       << "}\n\n";
  os << lut::printEntryOpening(spec)
     << "  const uint8_t *wbytes = (const uint8_t *)w;\n"
     << "  const float scaleMul = tensorScale;\n"
     << "  // Activations as f32 with their group sums, then the tables.\n"
     << "  float *xs = (float *)aligned_alloc(64, ((m * K * 4 + 63) / 64) * "
        "64);\n"
     << "  float *xsum = (float *)malloc(m * GROUPS * sizeof(float));\n";
  if (vector())
    os << "  int8_t *tq = (int8_t *)aligned_alloc(64, ((m * CHUNKS * 16 + 63) "
          "/ 64) * 64);\n"
       << "  float *tsc = (float *)malloc(m * TBLOCKS * sizeof(float));\n"
       << "  // The short last tile, padded to TILE rows for full vector "
          "loads.\n"
       << "  uint8_t *tail = TAIL ? (uint8_t *)calloc(TILE * BYTES_PER_ROW, "
          "1) : nullptr;\n"
       << "  for (int64_t i = 0; TAIL && i < BYTES_PER_ROW; ++i)\n"
       << "    memcpy(tail + i * TILE, wbytes + FULL_TILES * TILE * "
          "BYTES_PER_ROW + i * TAIL, TAIL);\n";
  else
    os << "  float *tf = (float *)aligned_alloc(64, ((m * CHUNKS * TSIZE * 4 + "
          "63) / 64) * 64);\n";
  os << "  (void)threads;\n"
     << "#if defined(_OPENMP)\n"
     << "#pragma omp parallel num_threads(threads > 0 ? threads : 1)\n"
     << "#endif\n"
     << "  {\n"
     << "#if defined(_OPENMP)\n#pragma omp for schedule(static)\n#endif\n"
     << "    for (int64_t i = 0; i < m * GROUPS; ++i) {\n"
     << "      float sum = 0.0f;\n"
     << "      for (int64_t k = i * GROUP; k < (i + 1) * GROUP; ++k) {\n"
     << "        const float v = loadAct(x[k]);\n"
     << "        xs[k] = v;\n        sum += v;\n      }\n"
     << "      xsum[i] = sum;\n    }\n";
  if (vector())
    os << "#if defined(_OPENMP)\n#pragma omp for schedule(static)\n#endif\n"
       << "    for (int64_t i = 0; i < m * TBLOCKS; ++i)\n"
       << "      quantizeBlock(xs + i * TBLOCK, tq + i * TBLOCK * 4, tsc + "
          "i);\n"
       << "    // Per thread: output rows, then three [GROUPS, slots] tables "
          "of\n    // scales, negative scales and zeros.\n"
       << "    constexpr int64_t SLOTS = " << (avx512 ? 64 : 32) << ";\n"
       << "    float *yacc = (float *)aligned_alloc(64, (m + 3 * GROUPS) * "
          "SLOTS * sizeof(float));\n"
       << "    // AVX2: one tile per item; AVX-512: two, or the odd last one.\n"
       << "    constexpr int64_t ITEMS = "
       << (avx512 ? "(TILES + 1) / 2" : "TILES") << ";\n"
       << "#if defined(_OPENMP)\n#pragma omp for schedule(static)\n#endif\n"
       << "    for (int64_t item = 0; item < ITEMS; ++item) {\n";
  else
    os << "#if defined(_OPENMP)\n#pragma omp for schedule(static)\n#endif\n"
       << "    for (int64_t i = 0; i < m * CHUNKS; ++i)\n"
       << "      chunkTable(xs + TG * i, tf + TSIZE * i);\n"
       << "#if defined(_OPENMP)\n#pragma omp for schedule(static)\n#endif\n"
       << "    for (int64_t n = 0; n < N; ++n)\n"
       << "      rowKernel(wbytes, n, m, tf, xsum, scales, zeros, negScales, "
          "scaleMul, bias, y"
       << epilogueArg << ");\n  }\n  free(tf);\n";
  if (vector()) {
    std::string common = cat("m, tq, tsc, xsum, scales, zeros, negScales, "
                             "scaleMul, yacc, bias, y",
                             epilogueArg, ");\n");
    if (avx512)
      os << "      const int64_t t = 2 * item;\n"
         << "      const int rows = int(N - t * TILE < 64 ? N - t * TILE : "
            "64);\n"
         << "      if (t + 1 < TILES)\n"
         << "        tileKernel<V512>(tileBytes(wbytes, tail, t), "
            "tileBytes(wbytes, tail, t + 1), t * TILE, rows, "
         << common << "      else\n"
         << "        tileKernel<V256>(tileBytes(wbytes, tail, t), nullptr, "
            "t * TILE, rows, "
         << common;
    else
      os << "      const int64_t t = item;\n"
         << "      const int rows = int(N - t * TILE < 32 ? N - t * TILE : "
            "32);\n"
         << "      tileKernel<" << traits
         << ">(tileBytes(wbytes, tail, t), nullptr, t * TILE, rows, "
         << common;
    os << "    }\n    free(yacc);\n  }\n"
       << "  free(tail);\n  free(tsc);\n  free(tq);\n";
  }
  os << "  free(xsum);\n  free(xs);\n}\n";
}

std::string LutPrinter::print() {
  printPrelude();
  os << lut::printHelpers(spec) << "\n";
  printTables();
  if (vector()) {
    printVectorTraits();
    printVectorTile();
  } else {
    os << "inline unsigned andBits(unsigned a, unsigned b) { return a & b; "
          "}\n"
       << "inline unsigned andNotBits(unsigned a, unsigned b) { return ~a & "
          "b; }\n\n";
    printScalarRow();
  }
  printEntry();
  return os.str();
}

} // namespace

numerics::PackLayout lut::weightLayout(const KernelSpec &spec) {
  return numerics::planeLayout(spec.weight.bits(), kTileRows, 32);
}

int64_t lut::kBlockQuantum(const KernelSpec &spec) {
  return std::lcm(std::max<int64_t>(groupSize(spec), 1), kColumn);
}

std::string lut::verifyKernelSpec(const KernelSpec &spec) {
  FormatKind kind = spec.weight.kind();
  if (kind != FormatKind::SignedInt && kind != FormatKind::UnsignedInt &&
      kind != FormatKind::Ternary)
    return "the lut strategy takes integer and ternary weights, not " +
           spec.weight.name() + "; use the dequant strategy";
  int64_t group = groupSize(spec);
  if (group % kColumn != 0)
    return "the lut strategy needs a group size that is a multiple of 8 (a "
           "byte of index nibbles spans two tables of 4 activations), got " +
           std::to_string(group) + "; use the dequant strategy";
  int width = spec.lut.group;
  if (width != 1 && width != 2 && width != 4 && width != 8)
    return "the lut strategy builds tables of 1, 2, 4 or 8 activations, got " +
           std::to_string(width);
  if (spec.isa != Isa::Scalar && !spec.lut.exactTables &&
      width != kVectorTableWidth)
    return std::string("the ") + isaName(spec.isa) +
           " lut kernel rounds its tables to int8 and probes them 16 entries "
           "at a time, which takes tables of 4 activations, got " +
           std::to_string(width) + "; use exact (f32) tables for other sizes";
  if (spec.schedule.kBlock != 0)
    return "the lut strategy makes one pass over K, got schedule kblock=" +
           std::to_string(spec.schedule.kBlock) + "; use kblock=0";
  return "";
}

std::string lut::printKernel(const KernelSpec &spec) {
  return LutPrinter(spec).print();
}
