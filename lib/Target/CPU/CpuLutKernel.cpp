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

#include "lowbit/Target/CPU/LutPlan.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numeric>
#include <sstream>

using namespace lowbit;
using namespace lowbit::cpu;
using lut::LutPlan;
using lut::Nibbles;
using lut::Stream;
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
/// Lookup streams sharing one pass over a table block's columns, and the
/// sets of int16 accumulator pairs a pass keeps in registers. Four pairs
/// spilled on AVX2 (two streams a pass ran 15 % faster than four, one pair
/// each, on Zen 1); streams that share a pair cost no registers.
constexpr size_t kStreamsPerPass = 4;
constexpr size_t kSetsPerPass = 2;
/// Weight bytes ahead that the 1- and 2-bit lut kernels prefetch, and the
/// largest column (bytes per tile) they do it for.
constexpr int64_t kPrefetchAhead = 1024;
constexpr int64_t kPrefetchColumnBytes = 64;
/// The most one column adds to an int16 lane per unit of a stream's factor:
/// two int8 table entries of at most 127 in magnitude.
constexpr int64_t kColumnSum = 2 * 127;

/// Streams of one pass that add into the same pair of int16 accumulators,
/// stream i scaled by 2^(exponent_i - base) (vpmaddubsw's unsigned factor)
/// and subtracted where it says so. The pair is widened to int32 and
/// shifted by `base` at the table block's end.
struct StreamSet {
  std::vector<size_t> streams;
  unsigned base = 0;
  bool negativePart = false;
};
using Pass = std::vector<StreamSet>;

/// Sum of the factors 2^(e - base) of `set` with stream `extra` added.
int64_t factorSum(const LutPlan &plan, const StreamSet &set, size_t extra) {
  unsigned base = std::min(set.base, plan.streams[extra].exponent);
  int64_t sum = int64_t(1) << (plan.streams[extra].exponent - base);
  for (size_t i : set.streams)
    sum += int64_t(1) << (plan.streams[i].exponent - base);
  return sum;
}

/// Groups the plan's streams, in order, into passes of at most
/// kStreamsPerPass streams and kSetsPerPass accumulator sets. A stream joins
/// a set of its part while the set's factors times kColumnSum times the
/// block's `columns` stay within int16, so no partial sum can overflow:
/// int4 with groups of 128 (16 columns) shares one pair among planes 0-2
/// (factors 1, 2, 4) and gives the sign plane its own; int2 with groups of 64
/// shares one among both planes.
std::vector<Pass> planPasses(const LutPlan &plan, int64_t columns) {
  std::vector<Pass> passes;
  size_t inPass = 0;
  for (size_t i = 0; i < plan.streams.size(); ++i) {
    const Stream &stream = plan.streams[i];
    if (passes.empty() || inPass == kStreamsPerPass) {
      passes.emplace_back();
      inPass = 0;
    }
    StreamSet *joined = nullptr;
    for (StreamSet &set : passes.back()) {
      if (set.negativePart != stream.negativePart)
        continue;
      // Within this bound every factor is at most 128, so vpmaddubsw's
      // factor * (r0 + r1) does not saturate either.
      if (factorSum(plan, set, i) * kColumnSum * columns <= INT16_MAX) {
        joined = &set;
        break;
      }
    }
    if (!joined) {
      if (passes.back().size() == kSetsPerPass) {
        passes.emplace_back();
        inPass = 0;
      }
      passes.back().push_back(
          StreamSet{{}, stream.exponent, stream.negativePart});
      joined = &passes.back().back();
    }
    joined->base = std::min(joined->base, stream.exponent);
    joined->streams.push_back(i);
    ++inPass;
  }
  return passes;
}

bool isAsym(const KernelSpec &spec) {
  return spec.scheme.zeroPoint == ZeroPointMode::AsymFloat;
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
      : spec(spec), plan(lut::planStreams(spec.weight, isAsym(spec))),
        bits(spec.weight.bits()), group(groupSize(spec)),
        groups(spec.k / group), block(tableBlock(group)),
        bytesPerRow(weightLayout(spec).wordsPerRow(spec.k) * 4) {}

  std::string print();

private:
  void printPrelude();
  void printTables();
  void printVectorTraits();
  void printNeonScales();
  void printX86Scales();
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

void LutPrinter::printNeonScales() {
  // Every tile reads its rows' scales once, row by row: fcvtl converts f16
  // four at a time, exactly, like f16ToF32.
  bool f16 = spec.scheme.scaleType == numerics::ScaleType::F16;
  os << "// dst[g * stride] = scale g of a row times mul, for every group.\n"
     << "inline void scaleRow(const ScaleT *src, float mul, float *dst, "
        "int64_t stride) {\n"
     << "  int64_t g = 0;\n";
  if (f16)
    os << "  for (; g + 4 <= GROUPS; g += 4) {\n"
       << "    float t[4];\n"
       << "    vst1q_f32(t, vmulq_n_f32(vcvt_f32_f16(vreinterpret_f16_u16("
          "vld1_u16(src + g))), mul));\n"
       << "    for (int i = 0; i < 4; ++i) dst[(g + i) * stride] = t[i];\n"
       << "  }\n";
  // No remainder loop when there is no remainder: GCC warns about the
  // empty loop's induction variable otherwise.
  if (!f16 || groups % 4 != 0)
    os << "  for (; g < GROUPS; ++g) dst[g * stride] = loadScale(src[g]) * "
          "mul;\n";
  else
    os << "  (void)g;\n";
  os << "}\n\n";
}

void LutPrinter::printX86Scales() {
  // Every tile reads its scales (and zeros) once into slot-major arrays,
  // group by group: 8 rows by 8 groups at a time, converted (F16C for f16,
  // exactly) and transposed in registers, as one scalar store per scale
  // took a quarter of the int2 kernel's time with groups of 64.
  os << "// Eight consecutive scales of a row as f32.\n"
     << "inline __m256 loadScales8(const ScaleT *p) {\n";
  switch (spec.scheme.scaleType) {
  case numerics::ScaleType::F32:
    os << "  return _mm256_loadu_ps(p);\n";
    break;
  case numerics::ScaleType::F16:
    os << "  return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));\n";
    break;
  case numerics::ScaleType::BF16:
    os << "  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_"
          "epi32(_mm_loadu_si128((const __m128i *)p)), 16));\n";
    break;
  case numerics::ScaleType::E8M0:
  case numerics::ScaleType::E4M3:
    os << "  return _mm256_i32gather_ps(kScaleTable, _mm256_cvtepu8_epi32("
          "_mm_loadl_epi64((const __m128i *)p)), 4);\n";
    break;
  }
  os << "}\n"
     << "inline __m256 loadFloats8(const float *p) { return "
        "_mm256_loadu_ps(p); }\n"
     << "inline float loadFloat(float v) { return v; }\n\n"
     << "// Prefetches group g's share of the `rows` rows of GROUPS values "
        "from row\n// `row` of `a`: over a tile's groups, the next tile's "
        "scales (or zeros),\n// whose transposition would otherwise wait on "
        "memory. Prefetches do not\n// fault; past the last row they fetch "
        "nothing useful.\n"
     << "template <class T>\n"
     << "inline void prefetchShare(const T *a, int64_t row, int64_t rows, "
        "int64_t g) {\n"
     << "  const uintptr_t base = (uintptr_t)a + (uintptr_t)(row * GROUPS) * "
        "sizeof(T);\n"
     << "  const int64_t lines = (rows * GROUPS * (int64_t)sizeof(T) + 63) / "
        "64;\n"
     << "  const int64_t share = (lines + GROUPS - 1) / GROUPS;\n"
     << "  for (int64_t i = g * share; i < (g + 1) * share && i < lines; ++i)\n"
     << "    _mm_prefetch((const char *)(base + i * 64), _MM_HINT_T0);\n"
     << "}\n\n"
     << "// dst[g * stride + i] = value g of row src[i] times mul[i], for "
        "every group\n// and the 8 rows src[0..7].\n"
     << "template <class T, class Load8, class Load1>\n"
     << "inline void slotMajor(const T *const src[8], const float mul[8], "
        "float *dst, int64_t stride, Load8 load8, Load1 load1) {\n"
     << "  const __m256 vm = _mm256_loadu_ps(mul);\n"
     << "  int64_t g = 0;\n"
     << "  for (; g + 8 <= GROUPS; g += 8) {\n"
     << "    __m256 r[8], t[8], u[8];\n"
     << "    for (int i = 0; i < 8; ++i) r[i] = load8(src[i] + g);\n"
     << "    for (int i = 0; i < 8; i += 2) {\n"
     << "      t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);\n"
     << "      t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);\n"
     << "    }\n"
     << "    // u[4h + 2q + e]: groups 2q + e and 2q + e + 4 of rows "
        "4h..4h+3.\n"
     << "    for (int h = 0; h < 2; ++h)\n"
     << "      for (int q = 0; q < 2; ++q) {\n"
     << "        u[4 * h + 2 * q] = _mm256_shuffle_ps(t[4 * h + q], t[4 * h + "
        "q + 2], 0x44);\n"
     << "        u[4 * h + 2 * q + 1] = _mm256_shuffle_ps(t[4 * h + q], t[4 * "
        "h + q + 2], 0xee);\n"
     << "      }\n"
     << "    for (int j = 0; j < 4; ++j) {\n"
     << "      _mm256_storeu_ps(dst + (g + j) * stride, _mm256_mul_ps("
        "_mm256_permute2f128_ps(u[j], u[j + 4], 0x20), vm));\n"
     << "      _mm256_storeu_ps(dst + (g + j + 4) * stride, _mm256_mul_ps("
        "_mm256_permute2f128_ps(u[j], u[j + 4], 0x31), vm));\n"
     << "    }\n"
     << "  }\n";
  // No remainder loop when there is no remainder: GCC warns about the
  // empty loop's induction variable otherwise.
  if (groups % 8 != 0)
    os << "  for (; g < GROUPS; ++g)\n"
       << "    for (int i = 0; i < 8; ++i) dst[g * stride + i] = "
          "load1(src[i][g]) * mul[i];\n";
  else
    os << "  (void)g; (void)load1;\n";
  os << "}\n\n";
}

void LutPrinter::printVectorTraits() {
  if (spec.isa == Isa::Neon) {
    printNeonScales();
    printNeonTraits();
    return;
  }
  printX86Scales();
  // The AVX2 tile is one 32-byte vector of index bytes (32 rows); AVX-512
  // joins two tiles in one 64-byte vector (64 rows). vpshufb looks up 16-byte
  // tables per 128-bit lane, so all lanes get the same table; the int8 sums
  // of the two nibbles (two chunks) are paired by unpack and added into int16
  // by vpmaddubsw against a power of two (planPasses). The int16 lanes then
  // hold the rows in the order that rowOfSlot gives.
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
  // a0, a1 += or -= MUL * (r0 + r1), paired by row.
  template <int MUL, bool SUB>
  static void lookup(I idx, I tl, I th, I &a0, I &a1) {
    const I mask = _mm256_set1_epi8(0x0f), mul = _mm256_set1_epi8(MUL);
    const I r0 = _mm256_shuffle_epi8(tl, _mm256_and_si256(idx, mask));
    const I r1 = _mm256_shuffle_epi8(th, _mm256_and_si256(_mm256_srli_epi16(idx, 4), mask));
    const I s0 = _mm256_maddubs_epi16(mul, _mm256_unpacklo_epi8(r0, r1));
    const I s1 = _mm256_maddubs_epi16(mul, _mm256_unpackhi_epi8(r0, r1));
    a0 = SUB ? _mm256_sub_epi16(a0, s0) : _mm256_add_epi16(a0, s0);
    a1 = SUB ? _mm256_sub_epi16(a1, s1) : _mm256_add_epi16(a1, s1);
  }
  static void widen(I a0, I a1, I out[4]) {
    out[0] = _mm256_cvtepi16_epi32(_mm256_castsi256_si128(a0));
    out[1] = _mm256_cvtepi16_epi32(_mm256_extracti128_si256(a0, 1));
    out[2] = _mm256_cvtepi16_epi32(_mm256_castsi256_si128(a1));
    out[3] = _mm256_cvtepi16_epi32(_mm256_extracti128_si256(a1, 1));
  }
  static I add32(I a, I b) { return _mm256_add_epi32(a, b); }
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
  // a0, a1 += or -= MUL * (r0 + r1), paired by row.
  template <int MUL, bool SUB>
  static void lookup(I idx, I tl, I th, I &a0, I &a1) {
    const I mask = _mm512_set1_epi8(0x0f), mul = _mm512_set1_epi8(MUL);
    const I r0 = _mm512_shuffle_epi8(tl, _mm512_and_si512(idx, mask));
    const I r1 = _mm512_shuffle_epi8(th, _mm512_and_si512(_mm512_srli_epi16(idx, 4), mask));
    const I s0 = _mm512_maddubs_epi16(mul, _mm512_unpacklo_epi8(r0, r1));
    const I s1 = _mm512_maddubs_epi16(mul, _mm512_unpackhi_epi8(r0, r1));
    a0 = SUB ? _mm512_sub_epi16(a0, s0) : _mm512_add_epi16(a0, s0);
    a1 = SUB ? _mm512_sub_epi16(a1, s1) : _mm512_add_epi16(a1, s1);
  }
  static void widen(I a0, I a1, I out[4]) {
    out[0] = _mm512_cvtepi16_epi32(_mm512_castsi512_si256(a0));
    out[1] = _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(a0, 1));
    out[2] = _mm512_cvtepi16_epi32(_mm512_castsi512_si256(a1));
    out[3] = _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(a1, 1));
  }
  static I add32(I a, I b) { return _mm512_add_epi32(a, b); }
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
  // a0: int16 sums of rows 0-15, a1: rows 16-31; each += or -= MUL * (r0 + r1).
  template <int MUL, bool SUB>
  static void lookup(I idx, I tl, I th, I &a0, I &a1) {
    I *acc[2] = {&a0, &a1};
    for (int h = 0; h < 2; ++h) {
      const uint8x16_t u = vreinterpretq_u8_s8(idx.v[h]);
      const int8x16_t r0 = vqtbl1q_s8(tl.v[0], vandq_u8(u, vdupq_n_u8(15)));
      const int8x16_t r1 = vqtbl1q_s8(th.v[0], vshrq_n_u8(u, 4));
      const int16x8_t sums[2] = {vaddl_s8(vget_low_s8(r0), vget_low_s8(r1)),
                                 vaddl_high_s8(r0, r1)};
      for (int i = 0; i < 2; ++i) {
        const int16x8_t a = vreinterpretq_s16_s8(acc[h]->v[i]);
        acc[h]->v[i] = vreinterpretq_s8_s16(
            SUB ? vmlsq_n_s16(a, sums[i], MUL)
                : MUL == 1 ? vaddq_s16(a, sums[i]) : vmlaq_n_s16(a, sums[i], MUL));
      }
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
  os << lut::printStore(spec, indent, acc, row, n);
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
     << "  (void)snT; (void)zT;\n";
  if (spec.isa == Isa::Neon) {
    os << "  for (int s = 0; s < V::SLOTS; ++s) {\n"
       << "    const int row = V::rowOfSlot(s);\n"
       << "    const int64_t at = (n0 + (row < rows ? row : 0)) * GROUPS;\n"
       << "    const float mul = row < rows ? scaleMul : 0.0f;\n"
       << "    scaleRow(scales + at, mul, sT + s, V::SLOTS);\n";
    if (asym)
      os << "    scaleRow(negScales + at, mul, snT + s, V::SLOTS);\n";
    if (hasZero())
      os << "    for (int64_t g = 0; g < GROUPS; ++g) zT[g * V::SLOTS + s] = "
            "row < rows ? zeros[at + g] : 0.0f;\n";
    os << "  }\n";
  } else {
    // Slots go in runs of 8 consecutive rows (rowOfSlot).
    os << "  for (int b = 0; b < V::SLOTS / 8; ++b) {\n"
       << "    const ScaleT *src[8];\n"
       << (asym ? "    const ScaleT *nsrc[8];\n" : "")
       << (hasZero() ? "    const float *zsrc[8];\n    float one[8];\n" : "")
       << "    float mul[8];\n"
       << "    for (int i = 0; i < 8; ++i) {\n"
       << "      const int row = V::rowOfSlot(8 * b + i);\n"
       << "      const int64_t at = (n0 + (row < rows ? row : 0)) * GROUPS;\n"
       << "      src[i] = scales + at;\n"
       << (asym ? "      nsrc[i] = negScales + at;\n" : "")
       << (hasZero() ? "      zsrc[i] = zeros + at;\n"
                       "      one[i] = row < rows ? 1.0f : 0.0f;\n"
                     : "")
       << "      mul[i] = row < rows ? scaleMul : 0.0f;\n"
       << "    }\n"
       << "    slotMajor(src, mul, sT + 8 * b, V::SLOTS, loadScales8, "
          "loadScale);\n";
    if (asym)
      os << "    slotMajor(nsrc, mul, snT + 8 * b, V::SLOTS, loadScales8, "
            "loadScale);\n";
    if (hasZero())
      os << "    slotMajor(zsrc, one, zT + 8 * b, V::SLOTS, loadFloats8, "
            "loadFloat);\n";
    os << "  }\n";
  }
  os << "  for (int64_t i = 0; i < m * V::SLOTS; ++i) yacc[i] = 0.0f;\n"
     << "  for (int64_t g = 0; g < GROUPS; ++g) {\n"
     << "    const float *sbuf = sT + g * V::SLOTS, *snbuf = snT + g * "
        "V::SLOTS, *zbuf = zT + g * V::SLOTS;\n"
     << "    (void)snbuf; (void)zbuf;\n";
  if (spec.isa != Isa::Neon) {
    os << "    prefetchShare(scales, n0 + V::SLOTS, V::SLOTS, "
          "g);\n";
    if (asym)
      os << "    prefetchShare(negScales, n0 + V::SLOTS, "
            "V::SLOTS, g);\n";
    if (hasZero())
      os << "    prefetchShare(zeros, n0 + V::SLOTS, V::SLOTS, "
            "g);\n";
  }
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
  // Streams in passes (planPasses) over the block's columns: each pass reads
  // the columns in order and shares their table loads; its accumulator
  // pairs stay in registers.
  auto load = [&](unsigned plane) {
    return cat("V::load(wa, wb, (c * BITS + ", plane, ") * TILE)");
  };
  bool first = true;
  for (const Pass &pass : planPasses(plan, block / kColumn)) {
    os << "        {\n          I a[" << 2 * pass.size() << "];\n"
       << "          for (int i = 0; i < " << 2 * pass.size()
       << "; ++i) a[i] = V::zero();\n"
       << "          for (int64_t c = c0; c < c1; ++c) {\n"
       << "            I tl, th;\n"
       << "            V::tables(tab + 32 * c, tl, th);\n";
    // 1- and 2-bit columns (at most one cache line of a tile) give the
    // lookups too little work to hide the weight stream's misses: prefetching
    // 1 KiB ahead made int2 (groups of 64) 1.1-1.2x faster on Zen 1; int4,
    // with twice the lookups per byte, gained nothing.
    if (first && int64_t(bits) * kTileRows <= kPrefetchColumnBytes) {
      std::string ahead =
          cat("(c + ", kPrefetchAhead / (int64_t(bits) * kTileRows),
              ") * (BITS * TILE)");
      os << "            __builtin_prefetch((const void *)((uintptr_t)wa + "
         << ahead << "));\n";
      if (spec.isa == Isa::AVX512)
        os << "            __builtin_prefetch((const void *)((uintptr_t)wb + "
           << ahead << "));\n";
    }
    for (size_t j = 0; j < pass.size(); ++j)
      for (size_t i : pass[j].streams) {
        const Stream &stream = plan.streams[i];
        os << "            V::template lookup<"
           << (1 << (stream.exponent - pass[j].base)) << ", "
           << (stream.subtract ? "true" : "false") << ">("
           << nibbles(stream, load, "V::andBits", "V::andNotBits")
           << ", tl, th, a[" << 2 * j << "], a[" << 2 * j + 1 << "]);\n";
      }
    os << "          }\n";
    for (size_t j = 0; j < pass.size(); ++j) {
      const char *target = pass[j].negativePart ? "n32" : "p32";
      os << "          V::widen(a[" << 2 * j << "], a[" << 2 * j + 1
         << "], w32);\n"
         << "          for (int j = 0; j < 4; ++j) " << target
         << "[j] = V::add32(" << target << "[j], "
         << (pass[j].base ? cat("V::shl32(w32[j], ", pass[j].base, ")")
                          : std::string("w32[j]"))
         << ");\n";
    }
    os << "        }\n";
    first = false;
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
  if (spec.scheme.zeroPoint == ZeroPointMode::AsymFloat)
    os << "      const float neg = " << part(true) << ";\n";
  os << "      "
     << lut::groupUpdate(spec.scheme.zeroPoint, "yv", "s", "pos", "zeros[at]",
                         "xs", "loadScale(negScales[at]) * scaleMul * neg")
     << "\n";
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

/// Each bit b_i of a code enters as T[p] = (T'[p] + sum_j x_j) / 2, so a
/// value that is a linear function sum_i w_i b_i + c of its bits gives
/// 1/2 sum_i w_i L'_i + (sum_i w_i / 2 + c) xsum.
std::string lut::groupUpdate(ZeroPointMode mode, std::string_view acc,
                             std::string_view s, std::string_view pos,
                             std::string_view z, std::string_view xs,
                             std::string_view negTerm) {
  switch (mode) {
  case ZeroPointMode::None:
    return cat(acc, " += ", s, " * ", pos, ";");
  case ZeroPointMode::Integer:
    return cat(acc, " += ", s, " * (", pos, " - ", z, " * ", xs, ");");
  case ZeroPointMode::Float:
    return cat(acc, " += ", s, " * ", pos, " - ", z, " * ", xs, ";");
  case ZeroPointMode::AsymFloat:
    return cat(acc, " += ", s, " * ", pos, " + ", negTerm, ";");
  }
  return "";
}

LutPlan lut::planStreams(const numerics::Format &format, bool asym) {
  LutPlan plan;
  unsigned bits = format.bits();
  unsigned top = bits - 1;
  auto add = [&](Nibbles nibbles, unsigned plane, unsigned exponent,
                 bool subtract, bool negativePart) {
    plan.streams.push_back({nibbles, plane, exponent, subtract, negativePart});
  };
  switch (format.kind()) {
  case FormatKind::UnsignedInt:
    // v = sum_i 2^i b_i.
    for (unsigned i = 0; i < bits; ++i)
      add(Nibbles::Plane, i, i, false, false);
    plan.positiveConstant = (std::ldexp(1.0, bits) - 1) / 2;
    break;
  case FormatKind::SignedInt:
    if (asym) {
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
    if (asym) {
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

double lut::plainTableConstant(const LutPlan &plan, bool negative) {
  double constant = negative ? plan.negativeConstant : plan.positiveConstant;
  for (const Stream &stream : plan.streams)
    if (stream.negativePart == negative)
      constant -= (stream.subtract ? -0.5 : 0.5) *
                  std::ldexp(1.0, int(stream.exponent));
  return constant;
}
