//===- CpuKernel.cpp - C++ source for CPU mixed-precision matmuls ---------===//
//
// Prints a self-contained C++ kernel for one mixed-precision matmul. The
// kernel decodes weights in registers to unscaled values, accumulates
// products with the activations per quantization group, and applies each
// group's scale (and zero-point correction, through per-group activation
// sums) once per group. The ISA-specific pieces are the few expressions in
// IsaOps; the loop structure is shared by every ISA.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/CPU/CpuKernel.h"
#include "CpuLutKernel.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <sstream>

using namespace lowbit;
using namespace lowbit::cpu;
using numerics::FormatKind;
using numerics::ZeroPointMode;

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

std::optional<Isa> lowbit::cpu::parseIsa(std::string_view name) {
  for (Isa isa : {Isa::Scalar, Isa::AVX2, Isa::AVX512, Isa::Neon})
    if (name == isaName(isa))
      return isa;
  return std::nullopt;
}

const char *lowbit::cpu::isaNames() { return "scalar, avx2, avx512, neon"; }

bool lowbit::cpu::isaIsNative(Isa isa) {
#if defined(__aarch64__)
  return isa == Isa::Scalar || isa == Isa::Neon;
#else
  return isa != Isa::Neon;
#endif
}

const char *lowbit::cpu::isaName(Isa isa) {
  switch (isa) {
  case Isa::Scalar:
    return "scalar";
  case Isa::AVX2:
    return "avx2";
  case Isa::AVX512:
    return "avx512";
  case Isa::Neon:
    return "neon";
  }
  return "unknown";
}

const char *lowbit::cpu::isaCompileFlags(Isa isa) {
  switch (isa) {
  case Isa::Scalar:
    return "";
  case Isa::AVX2:
    return "-mavx2 -mfma -mf16c";
  case Isa::AVX512:
    return "-mavx512f -mavx512bw -mavx512dq -mavx512vl -mfma -mf16c";
  case Isa::Neon:
    // Advanced SIMD, FMA and the f16 conversions are all in the base
    // AArch64 architecture.
    return "-march=armv8-a";
  }
  return "";
}

std::string lowbit::cpu::compileFlags(const KernelSpec &spec) {
  std::string flags = isaCompileFlags(spec.isa);
  // AVX-512 int8-dot kernels multiply with vpdpbusd.
  if (spec.isa == Isa::AVX512 && spec.strategy == Strategy::Int8Dot)
    flags += " -mavx512vnni";
  // AVX-512 bf16-dot kernels multiply with vdpbf16ps.
  if (spec.isa == Isa::AVX512 && spec.strategy == Strategy::Bf16Dot)
    flags += " -mavx512bf16";
  return flags;
}

namespace {
#if defined(__x86_64__) || defined(__i386__)
/// Whether the CPU running this code has the x86 feature `name` (a flag of
/// isaCompileFlags without its -m). __builtin_cpu_supports takes literals.
bool hasX86Feature(std::string_view name) {
  __builtin_cpu_init();
  if (name == "avx2")
    return __builtin_cpu_supports("avx2");
  if (name == "fma")
    return __builtin_cpu_supports("fma");
  if (name == "f16c")
    return __builtin_cpu_supports("f16c");
  if (name == "avx512f")
    return __builtin_cpu_supports("avx512f");
  if (name == "avx512bw")
    return __builtin_cpu_supports("avx512bw");
  if (name == "avx512dq")
    return __builtin_cpu_supports("avx512dq");
  if (name == "avx512vl")
    return __builtin_cpu_supports("avx512vl");
  if (name == "avx512vnni")
    return __builtin_cpu_supports("avx512vnni");
  if (name == "avx512bf16")
    return __builtin_cpu_supports("avx512bf16");
  return false;
}
#endif
} // namespace

std::string lowbit::cpu::missingCpuFeatures(const KernelSpec &spec) {
  if (!isaIsNative(spec.isa))
    return isaName(spec.isa);
  if (spec.isa == Isa::Scalar || spec.isa == Isa::Neon)
    return ""; // Advanced SIMD is part of every AArch64 CPU.
  std::string missing;
#if defined(__x86_64__) || defined(__i386__)
  std::istringstream flags(compileFlags(spec));
  for (std::string flag; flags >> flag;) {
    std::string_view feature = std::string_view(flag).substr(2); // -m...
    if (!hasX86Feature(feature))
      missing += (missing.empty() ? "" : " ") + std::string(feature);
  }
#endif
  return missing;
}

Isa lowbit::cpu::widestRunnableIsa(const KernelSpec &spec) {
  for (Isa isa : {Isa::AVX512, Isa::AVX2, Isa::Neon}) {
    KernelSpec candidate = spec;
    candidate.isa = isa;
    if (missingCpuFeatures(candidate).empty())
      return isa;
  }
  return Isa::Scalar;
}

unsigned lowbit::cpu::isaLanes(Isa isa) {
  switch (isa) {
  case Isa::AVX2:
    return 8;
  case Isa::Neon:
    return 4;
  default:
    return 16;
  }
}

unsigned lowbit::cpu::int8DotLanes(Isa) { return unsigned(kInt8Block); }

std::optional<Strategy> lowbit::cpu::parseStrategy(std::string_view name) {
  if (name == "dequant")
    return Strategy::Dequant;
  if (name == "int8-dot")
    return Strategy::Int8Dot;
  if (name == "lut")
    return Strategy::Lut;
  if (name == "bf16-dot")
    return Strategy::Bf16Dot;
  return std::nullopt;
}

const char *lowbit::cpu::strategyNames() {
  return "dequant, int8-dot, lut, bf16-dot";
}

const char *lowbit::cpu::strategyName(Strategy strategy) {
  switch (strategy) {
  case Strategy::Dequant:
    return "dequant";
  case Strategy::Int8Dot:
    return "int8-dot";
  case Strategy::Lut:
    return "lut";
  case Strategy::Bf16Dot:
    return "bf16-dot";
  }
  return "dequant";
}

std::optional<ScalarType> lowbit::cpu::parseScalarType(std::string_view name) {
  for (ScalarType type : {ScalarType::F32, ScalarType::F16, ScalarType::BF16})
    if (name == scalarTypeName(type))
      return type;
  return std::nullopt;
}

const char *lowbit::cpu::scalarTypeName(ScalarType type) {
  switch (type) {
  case ScalarType::F32:
    return "f32";
  case ScalarType::F16:
    return "f16";
  case ScalarType::BF16:
    return "bf16";
  }
  return "unknown";
}

const char *lowbit::cpu::epilogueValueType(EpilogueType type) {
  switch (type) {
  case EpilogueType::F32:
  case EpilogueType::F16:
  case EpilogueType::BF16:
    return "float";
  case EpilogueType::I1:
    return "bool";
  case EpilogueType::I8:
    return "int8_t";
  case EpilogueType::I16:
    return "int16_t";
  case EpilogueType::I32:
    return "int32_t";
  case EpilogueType::I64:
    return "int64_t";
  }
  return "float";
}

// Tables and factors are f32 in the kernel, so values are rounded to f32
// first; hexadecimal keeps them exact.
std::string lowbit::cpu::floatLiteral(double value) {
  float single = static_cast<float>(value);
  if (std::isnan(single))
    return "__builtin_nanf(\"\")";
  if (std::isinf(single))
    return single > 0 ? "__builtin_inff()" : "-__builtin_inff()";
  char buffer[64];
  snprintf(buffer, sizeof(buffer), "%af", static_cast<double>(single));
  return buffer;
}

int64_t lowbit::cpu::groupSize(const KernelSpec &spec) {
  return spec.scheme.groupShape.size() == 2 ? spec.scheme.groupShape[1] : 0;
}

numerics::PackLayout lowbit::cpu::weightLayout(const KernelSpec &spec) {
  switch (spec.strategy) {
  case Strategy::Dequant:
    break;
  case Strategy::Int8Dot:
    return numerics::laneLayout(spec.weight.bits(), 8,
                                int8DotLanes(spec.isa));
  case Strategy::Lut:
    return lut::weightLayout(spec);
  case Strategy::Bf16Dot:
    return numerics::laneLayout(spec.weight.bits(), 16, kBf16Lanes);
  }
  return numerics::laneLayout(spec.weight.bits(), 32, isaLanes(spec.isa));
}

//===----------------------------------------------------------------------===//
// Schedules
//===----------------------------------------------------------------------===//

std::string lowbit::cpu::formatSchedule(const CpuSchedule &schedule) {
  return "rows=" + std::to_string(schedule.rows) +
         ",acc=" + std::to_string(schedule.accumulators) +
         ",kblock=" + std::to_string(schedule.kBlock) +
         ",threads=" + std::to_string(schedule.threads) +
         ",panel=" + std::to_string(schedule.panel);
}

std::optional<CpuSchedule> lowbit::cpu::parseSchedule(std::string_view text,
                                                      std::string &error) {
  CpuSchedule schedule;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? "" : text.substr(comma + 1);
    size_t eq = item.find('=');
    std::string key(item.substr(0, eq));
    std::string value =
        eq == std::string_view::npos ? "" : std::string(item.substr(eq + 1));
    char *end = nullptr;
    long long number =
        value.empty() ? -1 : std::strtoll(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || number < 0 || number > (1ll << 40)) {
      error = "'" + std::string(item) +
              "' is not key=value with a non-negative integer value";
      return std::nullopt;
    }
    if (key == "rows") {
      schedule.rows = int(number);
    } else if (key == "acc") {
      schedule.accumulators = int(number);
    } else if (key == "kblock") {
      schedule.kBlock = number;
    } else if (key == "threads") {
      schedule.threads = int(number);
    } else if (key == "panel") {
      schedule.panel = number;
    } else {
      error = "unknown schedule key '" + key +
              "'; expected rows, acc, kblock, threads or panel";
      return std::nullopt;
    }
  }
  return schedule;
}

namespace {
/// Elements of K in one period of a vector dequant kernel's weight layout:
/// the lanes times the codes of a 32-bit word.
int64_t dequantPeriod(const KernelSpec &spec) {
  return int64_t(isaLanes(spec.isa)) * (32 / spec.weight.bits());
}
} // namespace

int64_t lowbit::cpu::kBlockQuantum(const KernelSpec &spec) {
  int64_t group = std::max<int64_t>(groupSize(spec), 1);
  if (spec.strategy == Strategy::Lut)
    return lut::kBlockQuantum(spec);
  if (spec.strategy == Strategy::Int8Dot)
    return std::lcm(group, int64_t(int8DotLanes(spec.isa)) *
                               (8 / spec.weight.bits()));
  if (spec.isa == Isa::Scalar)
    return group;
  if (spec.strategy == Strategy::Bf16Dot)
    return std::lcm(group, int64_t(kBf16Lanes) * (16 / spec.weight.bits()));
  return std::lcm(group, dequantPeriod(spec));
}

//===----------------------------------------------------------------------===//
// Decode strategy
//===----------------------------------------------------------------------===//

namespace {

/// Weight bytes ahead of its loads that a vector row kernel (dequant,
/// bf16-dot, int8-dot) prefetches. A row kernel streams one weight row after
/// another with enough work per byte that the hardware prefetcher alone
/// leaves it waiting on misses: on Zen 4 (2 cores, M = 1, 4096 x 14336, int4
/// group 128) prefetching 1.5-3 KiB ahead made bf16-dot 1.2-1.4x, int8-dot
/// 1.1-1.2x and the f32 dequant kernel 1.1-1.25x faster (docs/cpu-kernels.md).
constexpr int64_t kPrefetchBytes = 2048;

/// The row kernels' signatures: the scalar and vector printers of a
/// strategy print the same one, which the entry's tile loop calls.
constexpr const char *kRowKernelSignature =
    "template <int MT, int NA>\n"
    "inline void rowKernel(const float *xs, const float *xsum, int64_t m0, "
    "int64_t n, const uint32_t *w, const ScaleT *scales, const float *zeros, "
    "const ScaleT *negScales, float scaleMul, int64_t b0, int64_t b1, "
    "float *out) {\n";
constexpr const char *kInt8RowKernelSignature =
    "template <int MT, int NA>\n"
    "inline void rowKernel(const int8_t *xq, const float *xa, const float "
    "*qsum, int64_t m0, int64_t n, const uint32_t *w, const ScaleT *scales, "
    "const float *zeros, const ScaleT *negScales, float scaleMul, int64_t "
    "u0, int64_t u1, float *out) {\n";
constexpr const char *kBf16RowKernelSignature =
    "template <int MT, int NA>\n"
    "inline void rowKernel(const uint16_t *xb, const float *xsum, int64_t m0, "
    "int64_t n, const uint32_t *w, const ScaleT *scales, const float *zeros, "
    "const ScaleT *negScales, float scaleMul, int64_t b0, int64_t b1, "
    "float *out) {\n";
/// Concatenates the printed forms of its arguments.
template <typename... Args> std::string cat(const Args &...args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}

/// How a vector of codes becomes a vector of unscaled f32 values.
enum class Decode {
  Table,       ///< Permute from a register table (codes of few bits).
  Convert,     ///< Integer codes: sign- or zero-extend, convert.
  FloatBits,   ///< Float codes: move the fields into f32 position; the
               ///< exponent rebias 2^(127 - bias) is folded into the scale.
  Gather,      ///< Codebooks too wide for register tables.
  ScalarTable, ///< Scalar kernels: index a table of every code's value.
  Bf16Table    ///< Bf16Dot: permute the values' bf16 bits from register
               ///< tables (vpermw; vpermt2w and blends above 5 bits).
};

/// The widest codes a register-table permute handles: 5 bits on AVX-512
/// (vpermt2ps over two registers), 4 on AVX2 (two vpermps and a blend).
unsigned maxTableBits(Isa isa) { return isa == Isa::AVX512 ? 5 : 4; }

Decode chooseDecode(const KernelSpec &spec) {
  if (spec.isa == Isa::Scalar)
    return Decode::ScalarTable;
  if (spec.strategy == Strategy::Bf16Dot)
    return Decode::Bf16Table;
  const numerics::Format &format = spec.weight;
  bool integer = format.kind() == FormatKind::SignedInt ||
                 format.kind() == FormatKind::UnsignedInt;
  // On AVX2 a 16-entry table costs two permutes and a blend; integers
  // convert in two or three simple operations instead.
  if (format.bits() <= maxTableBits(spec.isa) &&
      !(integer && spec.isa == Isa::AVX2))
    return Decode::Table;
  switch (format.kind()) {
  case FormatKind::SignedInt:
  case FormatKind::UnsignedInt:
    return Decode::Convert;
  case FormatKind::Float:
    return Decode::FloatBits;
  default:
    return Decode::Gather;
  }
}

/// The vector kernels' decode of integer codes (Decode::Convert, except for
/// asym-fp, which splits each value by its sign): code position p of a word,
/// at bits [b*p, b*p + b), is converted where it lies, without the shift
/// pair that moving it to the bottom takes (vector shifts run on a single
/// port on many cores):
///  - unsigned codes below bit 31: `cvt(word & (CODE_MASK << b*p))`, exactly
///    value * 2^(b*p);
///  - an unsigned field that reaches bit 31 is shifted down (one shift per
///    load): value * 2^0;
///  - signed codes: the load flips every field's top bit (`FLIP`), turning
///    two's complement into offset binary, and the fields then decode as
///    unsigned ones to value + 2^(b-1). The kernel does not subtract the
///    offset per weight: per group it subtracts 2^(b-1) times the group's
///    activation sum (`zeroOffset`, added to the zero point), so a signed
///    code costs what an unsigned one with integer zeros does: a mask and a
///    convert.
/// The kernel stores activations times 2^(exponent - shift[p]), with
/// shift[p] the power of two of position p above, so every product is the
/// exact product value * x times 2^exponent, a power of two the group
/// scale takes back. `exponent` centres the activation factors (2^14 to
/// 2^-14 for 4-bit codes), so only activations beyond about 2^±110 could
/// overflow or lose bits to subnormals.
struct InPlaceDecode {
  uint32_t flip = 0;
  int exponent = 0;
  /// 2^(b-1) for signed codes (offset binary), else 0: subtracted per group
  /// through the activation sums.
  double zeroOffset = 0.0;
  std::vector<bool> shiftDown;  ///< Per code position: the field at the top.
  std::vector<double> actScale; ///< Per code position: 2^(exponent - shift).
};

InPlaceDecode inPlaceDecode(unsigned bits, unsigned perWord, bool isSigned) {
  InPlaceDecode d;
  d.exponent = int(bits * (perWord - 1) + 1) / 2;
  if (isSigned)
    d.zeroOffset = std::ldexp(1.0, int(bits) - 1);
  for (unsigned p = 0; p < perWord; ++p) {
    unsigned at = bits * p;
    bool down = at + bits == 32;
    if (isSigned)
      d.flip |= 1u << (at + bits - 1);
    d.shiftDown.push_back(down);
    d.actScale.push_back(std::ldexp(1.0, d.exponent - int(down ? 0 : at)));
  }
  return d;
}

/// How an Int8Dot kernel turns codes into the 8-bit integers it multiplies
/// with the quantized activations. Every weight value v times 2^exponent is
/// an integer V; the kernel multiplies t with V = t - offset, or, with
/// `split`, the positive and negative parts of V separately (asym-fp).
struct Int8Decode {
  enum Kind {
    Offset,  ///< Integer codes of at most 7 bits: t = code (signed codes
             ///< with the sign bit flipped, offset 2^(bits-1)), 0..127.
    Signed8, ///< 8-bit integer codes: t = the byte as int8 (unsigned codes
             ///< with bit 7 flipped, offset -128); |t| times the sign-moved
             ///< activation.
    Table    ///< Other codes of at most 4 bits: t from a 16-entry byte table.
  } kind = Offset;
  int offset = 0;
  int exponent = 0;
  /// asym-fp with negative values: separate dots of max(V, 0) and
  /// max(-V, 0).
  bool split = false;
  std::vector<int> values; ///< V for every code (0 for invalid codes).
  std::string error;       ///< Set when the format has no Int8Dot decode.
};

Int8Decode chooseInt8Decode(const KernelSpec &spec) {
  const numerics::Format &format = spec.weight;
  unsigned bits = format.bits();
  Int8Decode d;
  std::vector<double> values;
  double minValue = 0;
  for (uint32_t code = 0; code < (1u << bits); ++code) {
    double value = format.decode(code);
    if (!std::isfinite(value))
      value = 0.0; // Invalid codes (ternary 3, NaN codes) never occur.
    values.push_back(value);
    minValue = std::min(minValue, value);
  }
  // The smallest power of two that makes every value an integer.
  d.exponent = -1;
  for (int e = 0; e <= 7 && d.exponent < 0; ++e) {
    bool integral = std::all_of(values.begin(), values.end(), [&](double v) {
      double scaled = std::ldexp(v, e);
      return scaled == std::floor(scaled) && std::fabs(scaled) <= 255;
    });
    if (integral)
      d.exponent = e;
  }
  if (d.exponent < 0) {
    d.error = "the int8-dot strategy needs weight values that are integers "
              "after a power-of-two scaling (integer formats, ternary, small "
              "floats such as e2m1); " +
              format.name() + " has other values; use the dequant strategy";
    return d;
  }
  for (double v : values)
    d.values.push_back(int(std::ldexp(v, d.exponent)));
  d.split = spec.scheme.zeroPoint == ZeroPointMode::AsymFloat && minValue < 0;
  bool integer = format.kind() == FormatKind::SignedInt ||
                 format.kind() == FormatKind::UnsignedInt;
  bool isSigned = format.kind() == FormatKind::SignedInt;
  if (integer && bits <= 7) {
    d.kind = Int8Decode::Offset;
    d.offset = isSigned ? 1 << (bits - 1) : 0;
    return d;
  }
  if (integer) {
    d.kind = Int8Decode::Signed8;
    d.offset = isSigned ? 0 : -128;
    return d;
  }
  if (bits > 4) {
    d.error = "the int8-dot strategy decodes non-integer codes through a "
              "16-entry byte table and takes at most 4-bit codes; " +
              format.name() + " has " + std::to_string(bits) +
              "; use the dequant strategy";
    return d;
  }
  d.kind = Int8Decode::Table;
  int low = *std::min_element(d.values.begin(), d.values.end());
  int high = *std::max_element(d.values.begin(), d.values.end());
  d.offset = d.split ? 0 : std::max(0, -low);
  // Two products of at most 127 * 127 fit vpmaddubsw's int16 sums.
  int top = d.split ? std::max(high, -low) : high + d.offset;
  if (top > 127) {
    d.error = "the int8-dot strategy needs " + format.name() +
              "'s values scaled to integers (times 2^" +
              std::to_string(d.exponent) + ") to fit in 0..127 (offset " +
              std::to_string(d.offset) + "), got up to " +
              std::to_string(top) + "; use the dequant strategy";
    return d;
  }
  return d;
}

/// Extra checks of Int8Dot specs.
std::string verifyInt8Dot(const KernelSpec &spec) {
  return chooseInt8Decode(spec).error;
}

/// The bits of `value` as a bf16, or nullopt when bf16 does not hold it
/// exactly.
std::optional<uint16_t> exactBf16(double value) {
  uint16_t bits = numerics::toBF16Bits(float(value));
  if (double(numerics::fromBF16Bits(bits)) != value)
    return std::nullopt;
  return bits;
}

/// Extra checks of Bf16Dot specs.
std::string verifyBf16Dot(const KernelSpec &spec) {
  if (spec.isa != Isa::Scalar && spec.isa != Isa::AVX512)
    return std::string("the bf16-dot strategy multiplies with AVX512-BF16's "
                       "vdpbf16ps: use the avx512 ISA, or scalar for the "
                       "portable kernel; ") +
           isaName(spec.isa) + " has no bf16 dot product";
  if (spec.activation != ScalarType::BF16)
    return std::string("the bf16-dot strategy multiplies bf16 activations, "
                       "not ") +
           scalarTypeName(spec.activation) + "; use the dequant strategy";
  int64_t group = groupSize(spec);
  if (spec.isa != Isa::Scalar && group % kBf16Lanes != 0)
    return "the avx512 bf16-dot kernel needs a group size that is a multiple "
           "of " +
           std::to_string(kBf16Lanes) + ", got " + std::to_string(group) +
           "; use the scalar kernel or the dequant strategy";
  for (uint32_t code = 0; code < (1u << spec.weight.bits()); ++code) {
    double value = spec.weight.decode(code);
    if (std::isfinite(value) && !exactBf16(value)) {
      char text[32];
      std::snprintf(text, sizeof(text), "%.9g", value);
      return "the bf16-dot strategy multiplies weights as bf16 values; " +
             spec.weight.name() + "'s value " + text + " (code " +
             std::to_string(code) + ") is not a bf16; use the dequant strategy";
    }
  }
  return "";
}

/// Exponent rebias folded into the scale by the FloatBits decode.
double floatBitsFactor(const numerics::Format &format) {
  return std::ldexp(1.0, 127 - format.floatSpec().bias);
}

/// The C++ element type of activations or outputs in memory.
const char *memoryType(ScalarType type) {
  return type == ScalarType::F32 ? "float" : "uint16_t";
}

/// The IR name of an epilogue type, for the kernel's header comment.
const char *epilogueTypeName(EpilogueType type) {
  switch (type) {
  case EpilogueType::F32:
    return "f32";
  case EpilogueType::F16:
    return "f16";
  case EpilogueType::BF16:
    return "bf16";
  case EpilogueType::I1:
    return "i1";
  case EpilogueType::I8:
    return "i8";
  case EpilogueType::I16:
    return "i16";
  case EpilogueType::I32:
    return "i32";
  case EpilogueType::I64:
    return "i64";
  }
  return "unknown";
}

} // namespace

const char *lowbit::cpu::epilogueMemoryType(EpilogueType type) {
  switch (type) {
  case EpilogueType::F16:
  case EpilogueType::BF16:
    return "uint16_t";
  case EpilogueType::I1:
    return "uint8_t";
  default:
    return epilogueValueType(type);
  }
}

std::string lowbit::cpu::epilogueLoad(EpilogueType type,
                                      std::string_view element) {
  switch (type) {
  case EpilogueType::F16:
    return cat("f16ToF32(", element, ")");
  case EpilogueType::BF16:
    return cat("bf16ToF32(", element, ")");
  case EpilogueType::I1:
    return cat(element, " != 0");
  default:
    return std::string(element);
  }
}

namespace {

//===----------------------------------------------------------------------===//
// Source printer
//===----------------------------------------------------------------------===//

class KernelPrinter {
public:
  explicit KernelPrinter(const KernelSpec &spec)
      : spec(spec), layout(weightLayout(spec)), decode(chooseDecode(spec)),
        int8(spec.strategy == Strategy::Int8Dot
                 ? std::optional<Int8Decode>(chooseInt8Decode(spec))
                 : std::nullopt),
        bf16(spec.strategy == Strategy::Bf16Dot), bits(spec.weight.bits()),
        lanes(int8   ? int8DotLanes(spec.isa)
              : bf16 ? kBf16Lanes
                     : isaLanes(spec.isa)),
        perWord(layout.slotsPerWord()), period(lanes * perWord),
        group(groupSize(spec)), groups(spec.k / group),
        wordsPerRow(layout.wordsPerRow(spec.k)) {
    if (!int8 && decode == Decode::Convert && !asym())
      inPlace = inPlaceDecode(bits, perWord,
                              spec.weight.kind() == FormatKind::SignedInt);
  }

  std::string print();
  /// The conversions and the epilogue function alone (lut::printHelpers).
  std::string printHelpers() {
    printConversions();
    if (spec.epilogue)
      printEpilogue();
    return os.str();
  }

private:
  void printPrelude();
  void printTables();
  void printConversions();
  void printVectorHelpers();
  void printEpilogue();
  void printScalarRowKernel();
  void printVectorRowKernel();
  void printTableRegisters();
  void printWordLoad();
  void printWeightPrefetch(std::string_view indent, std::string_view at);
  void printPanelKernel();
  /// True when the entry has the panel path (CpuSchedule::panel).
  bool panel() const {
    return spec.strategy == Strategy::Dequant && spec.isa != Isa::Scalar &&
           spec.schedule.panel > 0;
  }
  void printDecode(unsigned position);
  void printFlush(std::string_view groupExpr);
  void printInt8Tables();
  void printInt8Quantize();
  void printInt8ScalarRowKernel();
  void printInt8VectorRowKernel();
  void printInt8Flush(std::string_view indent, std::string_view groupExpr,
                      bool vector);
  void printEntry();
  void printPanelEntry();
  void printStore(std::string_view indent, std::string_view acc,
                  std::string_view row);

  bool asym() const {
    return spec.scheme.zeroPoint == ZeroPointMode::AsymFloat;
  }
  bool hasZero() const {
    return spec.scheme.zeroPoint == ZeroPointMode::Integer ||
           spec.scheme.zeroPoint == ZeroPointMode::Float;
  }
  /// What the decoded values carry above their true ones, times the group
  /// scale, as an expression in the group's scale `s` and zero `z`: the zero
  /// point and the signed in-place decode's offset (InPlaceDecode), which
  /// the kernel subtracts once per group times the activation sum. Empty
  /// when there is neither.
  std::string zeroTerm(std::string_view s, std::string_view z) const {
    double offset = inPlace ? inPlace->zeroOffset : 0.0;
    std::string off = floatLiteral(offset);
    switch (spec.scheme.zeroPoint) {
    case ZeroPointMode::Integer:
      return offset ? cat(s, " * (", z, " + ", off, ")") : cat(s, " * ", z);
    case ZeroPointMode::Float:
      return offset ? cat("(", z, " + ", s, " * ", off, ")") : std::string(z);
    case ZeroPointMode::None:
      return offset ? cat(s, " * ", off) : std::string();
    default:
      return {};
    }
  }
  /// The table entry for code `code`: its value, or for asym-fp the positive
  /// (`negative` false) or negative part.
  double tableValue(uint32_t code, bool negative) const;
  double scaleFactor() const {
    if (int8)
      return std::ldexp(1.0, -int8->exponent);
    return decode == Decode::FloatBits ? floatBitsFactor(spec.weight) : 1.0;
  }

  const KernelSpec &spec;
  numerics::PackLayout layout;
  Decode decode;
  /// The Int8Dot strategy's decode; empty for Dequant.
  std::optional<Int8Decode> int8;
  /// Set for integer codes decoded where they lie (inPlaceDecode).
  std::optional<InPlaceDecode> inPlace;
  /// The Bf16Dot strategy: bf16 activations read where they are, weights
  /// decoded to bf16 and multiplied with vdpbf16ps.
  bool bf16;
  unsigned bits, lanes, perWord, period;
  int64_t group, groups, wordsPerRow;
  std::ostringstream os;
};

double KernelPrinter::tableValue(uint32_t code, bool negative) const {
  double value = spec.weight.decode(code & ((1u << bits) - 1));
  if (!std::isfinite(value))
    value = 0.0; // Invalid codes (ternary 3, NaN codes) never occur.
  if (asym())
    return negative ? std::min(value, 0.0) : std::max(value, 0.0);
  return value;
}

void KernelPrinter::printPrelude() {
  os << "// Generated by lowbit: kernel " << spec.name << ": y[M, " << spec.n
     << "] = x[M, " << spec.k << "] * dequant(W[" << spec.n << ", " << spec.k
     << "])^T\n"
     << "// weights " << spec.weight.name() << ", group " << group
     << ", scales " << numerics::scaleTypeName(spec.scheme.scaleType)
     << ", zero point " << numerics::zeroPointModeName(spec.scheme.zeroPoint)
     << (spec.scheme.tensorScale ? ", tensor scale" : "") << "\n"
     << "// isa " << isaName(spec.isa) << " (compile with -O3 "
     << compileFlags(spec) << " -fopenmp), strategy "
     << strategyName(spec.strategy) << ", activations "
     << scalarTypeName(spec.activation) << ", output "
     << scalarTypeName(spec.output) << "\n"
     << "// weight layout: rows of " << wordsPerRow << " uint"
     << layout.wordBits << " words; element j of each period of " << period
     << " goes to word j % " << lanes << " at bits " << bits << " * (j / "
     << lanes << ")\n"
     << "// schedule " << formatSchedule(spec.schedule) << "\n";
  if (spec.epilogue) {
    const std::vector<EpilogueOperand> &operands = spec.epilogue->operands;
    os << "// fused epilogue; operands:" << (operands.empty() ? " none" : "");
    for (size_t i = 0; i < operands.size(); ++i)
      os << (i ? ", e" : " e") << i << " " << epilogueTypeName(operands[i].type)
         << (operands[i].shape == EpilogueShape::N ? " [N]" : " [M, N]");
    os << "\n";
  }
  os << "\n";
  os << "#include <stdint.h>\n#include <stdlib.h>\n#include "
        "<string.h>\n#include <math.h>\n";
  if (spec.isa != Isa::Scalar)
    os << "#include <immintrin.h>\n";
  // A namespace per kernel, so several kernels can share one file.
  os << "\nnamespace " << spec.name << "_impl {\n\n";
  // Not every ISA's code reads every constant.
  os << "constexpr int64_t N = " << spec.n << ";\n"
     << "constexpr int64_t K = " << spec.k << ";\n"
     << "constexpr int64_t GROUP = " << group << ";\n"
     << "constexpr int64_t GROUPS = " << groups << ";\n"
     << "constexpr int64_t WORDS_PER_ROW = " << wordsPerRow << ";\n"
     << "[[maybe_unused]] constexpr int BITS = " << bits << ";\n"
     << "[[maybe_unused]] constexpr int LANES = " << lanes << ";\n"
     << "[[maybe_unused]] constexpr int PER_WORD = " << perWord << ";\n"
     << "[[maybe_unused]] constexpr int64_t PERIOD = " << period << ";\n"
     << "[[maybe_unused]] constexpr uint32_t CODE_MASK = " << ((1u << bits) - 1)
     << "u;\n"
     << "constexpr float SCALE_FACTOR = " << floatLiteral(scaleFactor())
     << ";\n";
  if (inPlace) {
    std::string scales;
    for (size_t i = 0; i < inPlace->actScale.size(); ++i)
      scales += cat(i ? ", " : "", floatLiteral(inPlace->actScale[i]));
    os << "// In-place decode: code position p converts to its value times "
          "a power of two\n// that activations, stored times kActScale[p], "
          "and ACC_SCALE undo.\n";
    if (inPlace->flip)
      os << "constexpr uint32_t FLIP = 0x" << std::hex << inPlace->flip
         << std::dec << "u;\n";
    os << "constexpr float ACC_SCALE = "
       << floatLiteral(std::ldexp(1.0, -inPlace->exponent)) << ";\n"
       << "constexpr float kActScale[PER_WORD] = {" << scales << "};\n";
  }
  os << "\n";
}

void KernelPrinter::printTables() {
  auto printTable = [&](std::string_view name, unsigned entries,
                        bool negative) {
    os << "alignas(64) const float " << name << "[" << entries << "] = {";
    for (unsigned code = 0; code < entries; ++code)
      os << (code ? ", " : "") << floatLiteral(tableValue(code, negative));
    os << "};\n";
  };
  unsigned entries = 1u << bits;
  switch (decode) {
  case Decode::Table: {
    // Tables span the whole register (16 or 32 lanes on AVX-512, 8 or 16 on
    // AVX2) and repeat, so the permute may ignore code bits above `bits`.
    unsigned size =
        bits <= (spec.isa == Isa::AVX512 ? 4u : 3u) ? lanes : 2 * lanes;
    printTable("kTable", size, false);
    if (asym())
      printTable("kTableNeg", size, true);
    break;
  }
  case Decode::Gather:
  case Decode::ScalarTable:
    printTable("kTable", entries, false);
    if (asym())
      printTable("kTableNeg", entries, true);
    break;
  case Decode::Bf16Table: {
    // The bf16 bits of every code's value (verifyBf16Dot checked that bf16
    // holds them), repeated to fill vpermw's 32-entry register for codes of
    // fewer than 5 bits, so the permute may ignore code bits above `bits`.
    auto printBf16Table = [&](std::string_view name, bool negative) {
      unsigned size = std::max(entries, kBf16Lanes);
      os << "alignas(64) const uint16_t " << name << "[" << size << "] = {";
      for (unsigned code = 0; code < size; ++code)
        os << (code ? ", " : "") << "0x" << std::hex
           << *exactBf16(tableValue(code, negative)) << std::dec;
      os << "};\n";
    };
    printBf16Table("kTable16", false);
    if (asym())
      printBf16Table("kTableNeg16", true);
    break;
  }
  case Decode::Convert:
  case Decode::FloatBits:
    break;
  }
  os << "\n";
}

void KernelPrinter::printConversions() {
  // Round-to-nearest-even conversions written out, so the source needs no
  // F16C or AVX512-BF16 and matches the numerics library bit for bit.
  os << R"cpp(inline float bitsToFloat(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
inline uint32_t floatToBits(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }
inline float f16ToF32(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
  if (exp == 0x1f) return bitsToFloat(sign | 0x7f800000u | (man << 13));
  if (exp == 0) { float v = ldexpf(float(man), -24); return sign ? -v : v; }
  return bitsToFloat(sign | ((exp + 112) << 23) | (man << 13));
}
inline uint16_t f32ToF16(float f) {
  uint32_t b = floatToBits(f), sign = (b >> 16) & 0x8000u;
  float a = fabsf(f);
  if (a != a) return uint16_t(sign | 0x7e00u);
  if (a >= 65520.0f) return uint16_t(sign | 0x7c00u);
  if (a < 6.103515625e-05f) {  // Subnormal: round a * 2^24 to an integer.
    return uint16_t(sign | uint32_t(nearbyintf(a * 16777216.0f)));
  }
  uint32_t ab = floatToBits(a);
  uint32_t rounded = ab + 0xfffu + ((ab >> 13) & 1u);
  return uint16_t(sign | (((rounded >> 13) - (112u << 10)) & 0x7fffu));
}
inline float bf16ToF32(uint16_t h) { return bitsToFloat(uint32_t(h) << 16); }
inline uint16_t f32ToBF16(float f) {
  uint32_t b = floatToBits(f);
  if ((b & 0x7fffffffu) > 0x7f800000u) return uint16_t((b >> 16) | 0x40u);
  return uint16_t((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
}
)cpp";
  auto loader = [&](ScalarType type) -> std::string {
    switch (type) {
    case ScalarType::F32:
      return "v";
    case ScalarType::F16:
      return "f16ToF32(v)";
    case ScalarType::BF16:
      return "bf16ToF32(v)";
    }
    return "v";
  };
  auto storer = [&](ScalarType type) -> std::string {
    switch (type) {
    case ScalarType::F32:
      return "v";
    case ScalarType::F16:
      return "f32ToF16(v)";
    case ScalarType::BF16:
      return "f32ToBF16(v)";
    }
    return "v";
  };
  // Scales are read in their stored type.
  switch (spec.scheme.scaleType) {
  case numerics::ScaleType::F32:
    os << "typedef float ScaleT;\ninline float loadScale(float v) { return v; "
          "}\n";
    break;
  case numerics::ScaleType::F16:
    // The x86 vector ISAs have F16C, whose widening conversion is exact.
    os << "typedef uint16_t ScaleT;\ninline float loadScale(uint16_t v) { "
          "return "
       << (spec.isa == Isa::AVX2 || spec.isa == Isa::AVX512 ? "_cvtsh_ss(v)"
                                                            : "f16ToF32(v)")
       << "; }\n";
    break;
  case numerics::ScaleType::BF16:
    os << "typedef uint16_t ScaleT;\ninline float loadScale(uint16_t v) { "
          "return bf16ToF32(v); }\n";
    break;
  case numerics::ScaleType::E8M0:
  case numerics::ScaleType::E4M3: {
    os << "typedef uint8_t ScaleT;\nalignas(64) const float kScaleTable[256] = "
          "{";
    for (uint32_t code = 0; code < 256; ++code)
      os << (code ? ", " : "")
         << floatLiteral(numerics::decodeScale(code, spec.scheme.scaleType));
    os << "};\ninline float loadScale(uint8_t v) { return kScaleTable[v]; }\n";
    break;
  }
  }
  os << "inline float loadAct(" << memoryType(spec.activation)
     << " v) { return " << loader(spec.activation) << "; }\n";
  os << "inline float loadOut(" << memoryType(spec.output) << " v) { return "
     << loader(spec.output) << "; }\n";
  os << "inline " << memoryType(spec.output) << " storeOut(float v) { return "
     << storer(spec.output) << "; }\n\n";
}

void KernelPrinter::printVectorHelpers() {
  // Int8Dot kernels use 256-bit vectors on every ISA.
  if (spec.isa == Isa::AVX2 || int8)
    os << R"cpp(inline float reduceAdd(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

)cpp";
}

/// Prints the statements that decode position `position` of the loaded word
/// vector `wv` into `d` (and `dn`, the negative part, for asym-fp).
void KernelPrinter::printDecode(unsigned position) {
  bool avx512 = spec.isa == Isa::AVX512;
  std::string_view vi = avx512 ? "__m512i" : "__m256i";
  std::string_view vf = avx512 ? "__m512" : "__m256";
  std::string_view p = avx512 ? "_mm512_" : "_mm256_";
  unsigned shift = position * bits;
  std::string code = shift == 0 ? "wv" : cat(p, "srli_epi32(wv, ", shift, ")");
  switch (decode) {
  case Decode::Table: {
    auto lookup = [&](std::string_view table, std::string_view table2) {
      if (avx512)
        return bits <= 4 ? cat("_mm512_permutexvar_ps(c, ", table, ")")
                         : cat("_mm512_permutex2var_ps(", table, ", c, ",
                               table2, ")");
      if (bits <= 3)
        return cat("_mm256_permutevar8x32_ps(", table, ", c)");
      // Bit 3 of the code, moved to the sign bit, picks the upper half.
      return cat("_mm256_blendv_ps(_mm256_permutevar8x32_ps(", table,
                 ", c), _mm256_permutevar8x32_ps(", table2,
                 ", c), _mm256_castsi256_ps(_mm256_slli_epi32(c, 28)))");
    };
    os << "        const " << vi << " c = " << code << ";\n";
    os << "        const " << vf << " d = " << lookup("t0", "t1") << ";\n";
    if (asym())
      os << "        const " << vf << " dn = " << lookup("n0", "n1") << ";\n";
    return;
  }
  case Decode::Convert: {
    std::string value;
    if (inPlace) {
      // Converted where the code lies (inPlaceDecode).
      std::ostringstream mask;
      mask << "int(0x" << std::hex << (((1u << bits) - 1) << shift) << "u)";
      value = inPlace->shiftDown[position]
                  ? cat(p, "srli_epi32(wv, ", 32 - bits, ")")
                  : cat(p, "and_si", avx512 ? "512" : "256", "(wv, ", p,
                        "set1_epi32(", mask.str(), "))");
      value = cat(p, "cvtepi32_ps(", value, ")");
      os << "        const " << vf << " d = " << value << ";\n";
      break;
    }
    if (spec.weight.kind() == FormatKind::SignedInt) {
      // Move the code to the top, then shift it down arithmetically.
      unsigned up = 32 - shift - bits;
      std::string top = up == 0 ? "wv" : cat(p, "slli_epi32(wv, ", up, ")");
      value = cat(p, "srai_epi32(", top, ", ", 32 - bits, ")");
    } else {
      value = cat(p, "and_si", avx512 ? "512" : "256", "(", code, ", ", p,
                  "set1_epi32(CODE_MASK))");
    }
    os << "        const " << vf << " d = " << p << "cvtepi32_ps(" << value
       << ");\n";
    break;
  }
  case Decode::FloatBits: {
    const numerics::FloatSpec &fs = spec.weight.floatSpec();
    uint32_t magMask = (1u << (bits - 1)) - 1, signBit = 1u << (bits - 1);
    std::string_view si = avx512 ? "si512" : "si256";
    os << "        const " << vi << " c = " << code << ";\n";
    os << "        const " << vi << " mag = " << p << "slli_epi32(" << p
       << "and_" << si << "(c, " << p << "set1_epi32(" << magMask << ")), "
       << 23 - fs.mantissaBits << ");\n";
    os << "        const " << vi << " sgn = " << p << "slli_epi32(" << p
       << "and_" << si << "(c, " << p << "set1_epi32(" << signBit << ")), "
       << 32 - bits << ");\n";
    os << "        const " << vf << " d = " << p << "castsi"
       << (avx512 ? "512" : "256") << "_ps(" << p << "or_" << si
       << "(mag, sgn));\n";
    break;
  }
  case Decode::Gather: {
    std::string_view si = avx512 ? "si512" : "si256";
    os << "        const " << vi << " c = " << p << "and_" << si << "(" << code
       << ", " << p << "set1_epi32(CODE_MASK));\n";
    auto gather = [&](std::string_view table) {
      return avx512 ? cat("_mm512_i32gather_ps(c, ", table, ", 4)")
                    : cat("_mm256_i32gather_ps(", table, ", c, 4)");
    };
    os << "        const " << vf << " d = " << gather("kTable") << ";\n";
    if (asym())
      os << "        const " << vf << " dn = " << gather("kTableNeg") << ";\n";
    return;
  }
  case Decode::ScalarTable:
    return;
  case Decode::Bf16Table: {
    // Code bits above the ones a permute reads are ignored: vpermw reads 5
    // index bits, vpermt2w 6; bits 6 and 7 pick among permutes by blends.
    os << "        const __m512i c = "
       << (shift == 0 ? std::string("wv")
                      : cat("_mm512_srli_epi16(wv, ", shift, ")"))
       << ";\n";
    if (bits >= 7)
      os << "        const __mmask32 b6 = _mm512_test_epi16_mask(c, "
            "_mm512_set1_epi16(64));\n";
    if (bits == 8)
      os << "        const __mmask32 b7 = _mm512_test_epi16_mask(c, "
            "_mm512_set1_epi16(128));\n";
    auto lookup = [&](char table, std::string_view out) {
      if (bits <= 5) {
        os << "        const __m512i " << out
           << " = _mm512_permutexvar_epi16(c, " << table << "0);\n";
        return;
      }
      auto pair = [&](unsigned q) {
        return cat("_mm512_permutex2var_epi16(", table, 2 * q, ", c, ", table,
                   2 * q + 1, ")");
      };
      if (bits == 6) {
        os << "        const __m512i " << out << " = " << pair(0) << ";\n";
        return;
      }
      if (bits == 7) {
        os << "        const __m512i " << out
           << " = _mm512_mask_blend_epi16(b6, " << pair(0) << ", " << pair(1)
           << ");\n";
        return;
      }
      os << "        const __m512i " << out << " = _mm512_mask_blend_epi16(b7, "
         << "_mm512_mask_blend_epi16(b6, " << pair(0) << ", " << pair(1)
         << "), _mm512_mask_blend_epi16(b6, " << pair(2) << ", " << pair(3)
         << "));\n";
    };
    lookup('t', "d");
    if (asym())
      lookup('n', "dn");
    return;
  }
  }
  if (asym()) {
    // Positive and negative parts of a value that was decoded once.
    os << "        const " << vf << " dn = " << p << "min_ps(d, " << p
       << "setzero_ps());\n";
    os << "        const " << vf << " dp = " << p << "max_ps(d, " << p
       << "setzero_ps());\n";
  }
}

void KernelPrinter::printFlush(std::string_view groupExpr) {
  bool avx512 = spec.isa == Isa::AVX512;
  std::string_view p = avx512 ? "_mm512_" : "_mm256_";
  os << "        {\n          const int64_t g = " << groupExpr << ";\n"
     << "          const float s = loadScale(scales[n * GROUPS + g]) * "
        "scaleMul;\n";
  if (asym())
    os << "          const float sn = loadScale(negScales[n * GROUPS + g]) * "
          "scaleMul;\n";
  if (hasZero())
    os << "          const float z = zeros[n * GROUPS + g];\n";
  os << "          for (int r = 0; r < MT; ++r) {\n"
     << "            for (int a = 1; a < NA; ++a) acc[r][0] = " << p
     << "add_ps(acc[r][0], acc[r][a]);\n"
     << "            yv[r] = " << p << "fmadd_ps(" << p
     << (inPlace ? "set1_ps(s * ACC_SCALE)" : "set1_ps(s)")
     << ", acc[r][0], yv[r]);\n";
  if (asym())
    os << "            for (int a = 1; a < NA; ++a) accn[r][0] = " << p
       << "add_ps(accn[r][0], accn[r][a]);\n"
       << "            yv[r] = " << p << "fmadd_ps(" << p
       << "set1_ps(sn), accn[r][0], yv[r]);\n"
       << "            for (int a = 0; a < NA; ++a) accn[r][a] = " << p
       << "setzero_ps();\n";
  if (std::string term = zeroTerm("s", "z"); !term.empty())
    os << "            corr[r] -= " << term
       << " * xsum[(m0 + r) * GROUPS + g];\n";
  os << "            for (int a = 0; a < NA; ++a) acc[r][a] = " << p
     << "setzero_ps();\n"
     << "          }\n        }\n";
}

/// Prints the prefetch of the weight bytes kPrefetchBytes past `at`. Only
/// the row kernels print it: they read a weight row front to back, while
/// the panel decode reads a row's next chunk only after the panel's other
/// rows.
void KernelPrinter::printWeightPrefetch(std::string_view indent,
                                        std::string_view at) {
  os << indent << "_mm_prefetch((const char *)(" << at << ") + "
     << kPrefetchBytes << ", _MM_HINT_T0);\n";
}

/// Prints the load of block `blk`'s LANES words of weight row `wrow` into
/// `wv` (signed in-place decodes flip their fields' top bits here).
void KernelPrinter::printWordLoad() {
  bool avx512 = spec.isa == Isa::AVX512;
  std::string_view vi = avx512 ? "__m512i" : "__m256i";
  std::string_view p = avx512 ? "_mm512_" : "_mm256_";
  std::string load = cat(p, "loadu_si", avx512 ? "512" : "256", "((const ", vi,
                         " *)(wrow + blk * LANES))");
  if (inPlace && inPlace->flip)
    load = cat(p, "xor_si", avx512 ? "512" : "256", "(", load, ", ", p,
               "set1_epi32(int(FLIP)))");
  os << "      const " << vi << " wv = " << load << ";\n";
}

/// Prints the loads of the register tables the decode permutes (t0, t1,
/// and n0, n1 for negative parts; t0..t7 for bf16).
void KernelPrinter::printTableRegisters() {
  bool avx512 = spec.isa == Isa::AVX512;
  std::string_view vf = avx512 ? "__m512" : "__m256";
  std::string_view p = avx512 ? "_mm512_" : "_mm256_";
  if (decode == Decode::Table) {
    auto load = [&](std::string_view name, std::string_view table,
                    unsigned at) {
      os << "  const " << vf << " " << name << " = " << p << "load_ps(" << table
         << " + " << at << ");\n";
    };
    bool two = bits > (avx512 ? 4u : 3u);
    load("t0", "kTable", 0);
    if (two)
      load("t1", "kTable", lanes);
    if (asym()) {
      load("n0", "kTableNeg", 0);
      if (two)
        load("n1", "kTableNeg", lanes);
    }
  }
  if (decode == Decode::Bf16Table) {
    // One register per 32 entries: t0..t7 (n0..n7 for negative parts).
    unsigned registers = std::max(1u, (1u << bits) / kBf16Lanes);
    for (unsigned i = 0; i < registers; ++i) {
      os << "  const __m512i t" << i
         << " = _mm512_load_si512((const void *)(kTable16 + " << i * kBf16Lanes
         << "));\n";
      if (asym())
        os << "  const __m512i n" << i
           << " = _mm512_load_si512((const void *)(kTableNeg16 + "
           << i * kBf16Lanes << "));\n";
    }
  }
}

void KernelPrinter::printVectorRowKernel() {
  bool avx512 = spec.isa == Isa::AVX512;
  std::string_view vf = avx512 ? "__m512" : "__m256";
  std::string_view p = avx512 ? "_mm512_" : "_mm256_";
  int64_t vectors = spec.k / lanes;       // K is a multiple of the lanes.
  int64_t perGroup = group / lanes;       // Vectors per group.
  int64_t fullBlocks = vectors / perWord; // Blocks of PER_WORD vectors.
  int64_t tailVectors = vectors % perWord;

  os << "// Computes MT rows of y for output row n, from rows m0.. of xs, "
        "over\n"
     << "// the blocks [b0, b1) of PER_WORD vectors (block FULL_BLOCKS is the\n"
     << "// partial one). NA independent accumulators per row hide the FMA\n"
     << "// latency.\n"
     << "[[maybe_unused]] constexpr int64_t FULL_BLOCKS = " << fullBlocks
     << ";\n"
     << (bf16 ? kBf16RowKernelSignature : kRowKernelSignature)
     << "  (void)xsum; (void)zeros; (void)negScales;\n"
     << (bf16 ? "  const uint16_t *wrow = (const uint16_t *)w + n * "
                "WORDS_PER_ROW;\n"
              : "  const uint32_t *wrow = w + n * WORDS_PER_ROW;\n")
     << "  " << vf << " yv[MT], acc[MT][NA];\n";
  if (asym())
    os << "  " << vf << " accn[MT][NA];\n";
  os << "  float corr[MT];\n"
     << "  for (int r = 0; r < MT; ++r) {\n    yv[r] = " << p
     << "setzero_ps(); corr[r] = 0.0f;\n"
     << "    for (int a = 0; a < NA; ++a) { acc[r][a] = " << p
     << "setzero_ps();"
     << (asym() ? cat(" accn[r][a] = ", p, "setzero_ps();") : "")
     << " }\n  }\n";
  printTableRegisters();
  // One block: PER_WORD vectors decoded from one load of LANES words.
  auto printBlock = [&](int64_t count, bool fullBlock) {
    printWordLoad();
    printWeightPrefetch("      ", "wrow + blk * LANES");
    for (int64_t i = 0; i < count; ++i) {
      os << "      {  // vector " << i << " of the block\n"
         << "        const int64_t v = blk * PER_WORD + " << i << ";\n";
      printDecode(i);
      std::string_view positive =
          asym() && (decode == Decode::Convert || decode == Decode::FloatBits)
              ? "dp"
              : "d";
      os << "        for (int r = 0; r < MT; ++r) {\n";
      if (bf16) {
        // 32 bf16 activations; vdpbf16ps adds the exact products of lanes
        // 2i and 2i + 1 to f32 lane i.
        os << "          const __m512i xv = _mm512_loadu_si512((const void "
              "*)(xb + (m0 + r) * K + v * LANES));\n";
        auto dot = [&](std::string_view accs, std::string_view d) {
          os << "          " << accs << "[r][" << i << " % NA] = "
             << "_mm512_dpbf16_ps(" << accs << "[r][" << i
             << " % NA], (__m512bh)xv, (__m512bh)" << d << ");\n";
        };
        dot("acc", "d");
        if (asym())
          dot("accn", "dn");
      } else {
        os << "          const " << vf << " xv = " << p
           << "loadu_ps(xs + (m0 + r) * K + v * LANES);\n"
           << "          acc[r][" << i << " % NA] = " << p << "fmadd_ps(xv, "
           << positive << ", acc[r][" << i << " % NA]);\n";
        if (asym())
          os << "          accn[r][" << i << " % NA] = " << p
             << "fmadd_ps(xv, dn, accn[r][" << i << " % NA]);\n";
      }
      os << "        }\n";
      // Group boundaries: known at compile time when groups hold whole
      // blocks or blocks hold whole groups; counted otherwise.
      if (perWord % perGroup == 0) {
        if ((i + 1) % perGroup == 0)
          printFlush(cat("(blk * PER_WORD + ", i, ") / ", perGroup));
      } else if (perGroup % perWord != 0 || !fullBlock) {
        os << "        if (++counted == " << perGroup << ") {\n"
           << "          counted = 0;\n";
        printFlush("v / " + std::to_string(perGroup));
        os << "        }\n";
      }
      os << "      }\n";
    }
    if (fullBlock && perWord % perGroup != 0 && perGroup % perWord == 0) {
      os << "      if ((blk + 1) % " << perGroup / perWord << " == 0)\n";
      printFlush("blk / " + std::to_string(perGroup / perWord));
    }
  };
  os << "  int counted = 0; (void)counted;\n";
  os << "  const int64_t bEnd = b1 < FULL_BLOCKS ? b1 : FULL_BLOCKS;\n"
     << "  for (int64_t blk = b0; blk < bEnd; ++blk) {\n";
  printBlock(perWord, true);
  os << "  }\n";
  if (tailVectors) {
    os << "  if (b1 > FULL_BLOCKS) {\n    const int64_t blk = FULL_BLOCKS;\n";
    printBlock(tailVectors, false);
    os << "  }\n";
  }
  os << "  for (int r = 0; r < MT; ++r)\n    out[r] = "
     << (avx512 ? "_mm512_reduce_add_ps(yv[r])" : "reduceAdd(yv[r])")
     << " + corr[r];\n}\n\n";
}

/// The panel path of the vector dequant kernels, for calls of at least
/// CpuSchedule::panel rows: a block of PANEL_NB weight rows is decoded per
/// chunk of K into an f32 panel, scales and zero points applied, and
/// multiplied with register tiles of PANEL_MR activation rows by PANEL_NR
/// weight rows, each accumulator a vector of partial sums along K. Every
/// decoded weight then serves all M rows, and each tile step loads
/// PANEL_MR + PANEL_NR vectors for PANEL_MR * PANEL_NR FMAs, where the row
/// kernel loads one activation vector per FMA.
void KernelPrinter::printPanelKernel() {
  bool avx512 = spec.isa == Isa::AVX512;
  std::string_view vf = avx512 ? "__m512" : "__m256";
  std::string_view p = avx512 ? "_mm512_" : "_mm256_";
  PanelShape shape = panelShape(spec);
  int mr = shape.rows, nr = shape.cols;
  int64_t columns = shape.block;
  int64_t vectors = spec.k / lanes;
  int64_t tailVectors = vectors % perWord;
  int64_t blocks = vectors / perWord + (tailVectors ? 1 : 0);
  int64_t chunkBlocks = shape.chunk / period;
  int64_t chunkGroups = chunkBlocks * period / group + 2;
  os << "// The panel path, for calls of at least PANEL_ROWS rows (schedule "
        "panel): per\n"
     << "// block of PANEL_NB weight rows and chunk of PANEL_BLOCKS layout "
        "blocks of K, the\n"
     << "// weights are decoded once into an f32 panel (scale and zero point "
        "applied), then\n"
     << "// multiplied with tiles of PANEL_MR activation rows by PANEL_NR "
        "weight rows.\n"
     << "constexpr int64_t PANEL_ROWS = " << spec.schedule.panel << ";\n"
     << "constexpr int PANEL_MR = " << mr << ", PANEL_NR = " << nr << ";\n"
     << "constexpr int64_t PANEL_NB = " << columns << ";\n"
     << "constexpr int64_t BLOCKS = " << blocks << ";\n"
     << "constexpr int64_t PANEL_BLOCKS = " << chunkBlocks
     << ", PANEL_KC = PANEL_BLOCKS * PERIOD;\n"
     << "// A bound on the groups one chunk touches.\n"
     << "constexpr int64_t PANEL_GROUPS = " << chunkGroups << ";\n\n";

  // The decode of one weight row's chunk.
  os << "// Decodes weight row n over the layout blocks [b0, b1) into p: the "
        "f32 weights,\n// scale and zero point applied.\n"
     << "inline void decodePanelRow(const uint32_t *w, const ScaleT *scales, "
        "const float *zeros,\n"
     << "                           const ScaleT *negScales, float scaleMul, "
        "int64_t n,\n"
     << "                           int64_t b0, int64_t b1, float *p) {\n"
     << "  (void)zeros; (void)negScales;\n";
  printTableRegisters();
  os << "  const uint32_t *wrow = w + n * WORDS_PER_ROW;\n"
     << "  const int64_t g0 = b0 * PERIOD / GROUP;\n"
     << "  const int64_t kEnd = b1 * PERIOD < K ? b1 * PERIOD : K;\n"
     << "  float sc[PANEL_GROUPS];\n";
  std::string zeroCorrection = zeroTerm("sc[g - g0]", "zeros[n * GROUPS + g]");
  if (!zeroCorrection.empty())
    os << "  float zc[PANEL_GROUPS];\n";
  if (asym())
    os << "  float sn[PANEL_GROUPS];\n";
  os << "  for (int64_t g = g0; g <= (kEnd - 1) / GROUP; ++g) {\n"
     << "    sc[g - g0] = loadScale(scales[n * GROUPS + g]) * scaleMul;\n";
  if (!zeroCorrection.empty())
    os << "    zc[g - g0] = -" << zeroCorrection << ";\n";
  if (asym())
    os << "    sn[g - g0] = loadScale(negScales[n * GROUPS + g]) * scaleMul;\n";
  os << "  }\n";
  std::string_view positive =
      asym() && (decode == Decode::Convert || decode == Decode::FloatBits)
          ? "dp"
          : "d";
  auto printBlock = [&](int64_t count) {
    printWordLoad();
    for (int64_t i = 0; i < count; ++i) {
      os << "      {  // vector " << i << " of the block\n"
         << "        const int64_t v = blk * PER_WORD + " << i << ";\n"
         << "        const int64_t gi = v * LANES / GROUP - g0;\n";
      printDecode(unsigned(i));
      // The in-place decode gives value * 2^(b*p): the scale takes the
      // power of two back (exactly, barring subnormal scales).
      std::string scale = "sc[gi]";
      if (inPlace) {
        double factor = std::ldexp(inPlace->actScale[i], -inPlace->exponent);
        if (factor != 1.0)
          scale = cat("sc[gi] * ", floatLiteral(factor));
      }
      std::string value;
      if (asym())
        value = cat(p, "fmadd_ps(", positive, ", ", p, "set1_ps(", scale, "), ",
                    p, "mul_ps(dn, ", p, "set1_ps(sn[gi])))");
      else if (!zeroCorrection.empty())
        value = cat(p, "fmadd_ps(d, ", p, "set1_ps(", scale, "), ", p,
                    "set1_ps(zc[gi]))");
      else
        value = cat(p, "mul_ps(d, ", p, "set1_ps(", scale, "))");
      os << "        " << p << "store_ps(p + (v - b0 * PER_WORD) * LANES, "
         << value << ");\n"
         << "      }\n";
    }
  };
  os << "  const int64_t bEnd = b1 < FULL_BLOCKS ? b1 : FULL_BLOCKS;\n"
     << "  for (int64_t blk = b0; blk < bEnd; ++blk) {\n";
  printBlock(perWord);
  os << "  }\n";
  if (tailVectors) {
    os << "  if (b1 > FULL_BLOCKS) {\n    const int64_t blk = FULL_BLOCKS;\n";
    printBlock(tailVectors);
    os << "  }\n";
  }
  os << "}\n\n";

  // The register tile and its dispatch over remainder sizes.
  os << "// c[i * PANEL_NB + j] += sum over len elements of x row i times "
        "panel row j\n// (x rows K apart, panel rows PANEL_KC apart).\n"
     << "template <int MR, int NR>\n"
     << "inline void panelTile(const float *x, const float *p, int64_t len, "
        "float *c) {\n"
     << "  " << vf << " acc[MR][NR];\n"
     << "  for (int i = 0; i < MR; ++i)\n"
     << "    for (int j = 0; j < NR; ++j) acc[i][j] = " << p
     << "setzero_ps();\n"
     << "  for (int64_t kk = 0; kk < len; kk += LANES) {\n"
     << "    " << vf << " xv[MR];\n"
     << "    for (int i = 0; i < MR; ++i) xv[i] = " << p
     << "loadu_ps(x + i * K + kk);\n"
     << "    for (int j = 0; j < NR; ++j) {\n"
     << "      const " << vf << " pv = " << p
     << "load_ps(p + j * PANEL_KC + kk);\n"
     << "      for (int i = 0; i < MR; ++i) acc[i][j] = " << p
     << "fmadd_ps(xv[i], pv, acc[i][j]);\n"
     << "    }\n  }\n"
     << "  for (int i = 0; i < MR; ++i)\n"
     << "    for (int j = 0; j < NR; ++j) c[i * PANEL_NB + j] += "
     << (avx512 ? "_mm512_reduce_add_ps" : "reduceAdd") << "(acc[i][j]);\n"
     << "}\n\n"
     << "inline void panelTile(int mr, int nr, const float *x, const float "
        "*p, int64_t len,\n"
     << "                      float *c) {\n"
     << "  switch (mr * 8 + nr) {\n";
  for (int i = 1; i <= mr; ++i)
    for (int j = 1; j <= nr; ++j)
      os << "  case " << i * 8 + j << ": panelTile<" << i << ", " << j
         << ">(x, p, len, c); break;\n";
  os << "  }\n}\n\n";
}

void KernelPrinter::printScalarRowKernel() {
  os << "// Computes MT rows of y for output row n, from rows m0.. of xs, "
        "over\n"
     << "// the groups [b0, b1) (NA is unused: one accumulator per row).\n"
     << (bf16 ? kBf16RowKernelSignature : kRowKernelSignature)
     << "  (void)xsum; (void)zeros; (void)negScales;\n"
     << (bf16 ? "  const uint16_t *wrow = (const uint16_t *)w + n * "
                "WORDS_PER_ROW;\n"
              : "  const uint32_t *wrow = w + n * WORDS_PER_ROW;\n")
     << "  float y[MT], corr[MT];\n"
     << "  for (int r = 0; r < MT; ++r) { y[r] = 0.0f; corr[r] = 0.0f; }\n"
     << "  for (int64_t g = b0; g < b1; ++g) {\n"
     << (asym() ? "    float acc[MT], accn[MT];\n"
                  "    for (int r = 0; r < MT; ++r) { acc[r] = 0.0f; accn[r] = "
                  "0.0f; }\n"
                : "    float acc[MT];\n"
                  "    for (int r = 0; r < MT; ++r) acc[r] = 0.0f;\n")
     << "    for (int64_t k = g * GROUP; k < (g + 1) * GROUP; ++k) {\n"
     << "      const int64_t j = k % PERIOD;\n"
     << "      const uint32_t word = wrow[k / PERIOD * LANES + j % LANES];\n"
     << "      const uint32_t code = (word >> (BITS * (j / LANES))) & "
        "CODE_MASK;\n"
     << "      const float d = kTable[code];\n";
  if (asym())
    os << "      const float dn = kTableNeg[code];\n";
  // bf16-dot: products of two bf16 values, exact in f32.
  std::string_view x =
      bf16 ? "bf16ToF32(xb[(m0 + r) * K + k])" : "xs[(m0 + r) * K + k]";
  os << "      for (int r = 0; r < MT; ++r) {\n"
     << "        acc[r] += " << x << " * d;\n";
  if (asym())
    os << "        accn[r] += " << x << " * dn;\n";
  os << "      }\n    }\n"
     << "    const float s = loadScale(scales[n * GROUPS + g]) * scaleMul;\n";
  if (asym())
    os << "    const float sn = loadScale(negScales[n * GROUPS + g]) * "
          "scaleMul;\n";
  if (hasZero())
    os << "    const float z = zeros[n * GROUPS + g];\n";
  os << "    for (int r = 0; r < MT; ++r) {\n      y[r] += s * acc[r];\n";
  if (asym())
    os << "      y[r] += sn * accn[r];\n";
  if (spec.scheme.zeroPoint == ZeroPointMode::Integer)
    os << "      corr[r] -= s * z * xsum[(m0 + r) * GROUPS + g];\n";
  if (spec.scheme.zeroPoint == ZeroPointMode::Float)
    os << "      corr[r] -= z * xsum[(m0 + r) * GROUPS + g];\n";
  os << "    }\n  }\n"
     << "  for (int r = 0; r < MT; ++r) out[r] = y[r] + corr[r];\n}\n\n";
}

void KernelPrinter::printEpilogue() {
  const Epilogue &epilogue = *spec.epilogue;
  os << R"cpp(// Helpers of epilogue bodies: rounding a float to f16 or bf16 (to nearest
// even), and IEEE 754-2019 maximum and minimum (NaN if either operand is NaN;
// -0 below +0), which fmaxf and fminf are not.
inline float roundF16(float v) { return f16ToF32(f32ToF16(v)); }
inline float roundBF16(float v) { return bf16ToF32(f32ToBF16(v)); }
inline float maximumF(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return signbit(a) ? b : a;
  return a > b ? a : b;
}
inline float minimumF(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return signbit(a) ? a : b;
  return a < b ? a : b;
}

// The fused epilogue: one output element from its accumulator (bias
// included) and the epilogue operands' elements at its position.
inline float epilogue(float acc)cpp";
  for (size_t i = 0; i < epilogue.operands.size(); ++i)
    os << ", " << epilogueValueType(epilogue.operands[i].type) << " e" << i;
  os << ") {\n  float out;\n";
  std::istringstream body(epilogue.body);
  for (std::string line; std::getline(body, line);)
    os << "  " << line << "\n";
  os << "  return out;\n}\n\n";
}

//===----------------------------------------------------------------------===//
// Int8Dot strategy
//===----------------------------------------------------------------------===//

void KernelPrinter::printInt8Tables() {
  const Int8Decode &d = *int8;
  int64_t blocks = spec.k / kInt8Block;
  int64_t units = (spec.k + period - 1) / period;
  os << "// int8-dot: activations quantized per block of " << kInt8Block
     << " along K; weight values times 2^" << d.exponent
     << " are the integers V below, multiplied as t with V = t - OFFSET"
     << (d.split ? " (positive and negative parts apart)" : "") << ".\n"
     << "constexpr int64_t BLOCKS = " << blocks << ";\n"
     << "constexpr int64_t KQ = " << units * period
     << "; // K padded to whole periods: the row length of xq\n"
     << "constexpr int64_t KB = " << units * period / kInt8Block
     << "; // blocks of a padded row\n"
     << "constexpr int64_t BPG = " << group / kInt8Block
     << "; // blocks per group\n"
     << "[[maybe_unused]] constexpr int OFFSET = " << d.offset << ";\n"
     << "[[maybe_unused]] constexpr float ZERO_FACTOR = "
     << floatLiteral(std::ldexp(1.0, d.exponent)) << ";\n";
  // V of every code, for the scalar kernel.
  os << "[[maybe_unused]] const int kV[" << d.values.size() << "] = {";
  for (size_t code = 0; code < d.values.size(); ++code)
    os << (code ? ", " : "") << d.values[code];
  os << "};\n";
  if (d.kind == Int8Decode::Table) {
    // 16-entry byte tables indexed by the low nibble (vpshufb); codes of
    // fewer bits repeat.
    auto table = [&](std::string_view name, int sign) {
      os << "alignas(16) const int8_t " << name << "[16] = {";
      for (unsigned i = 0; i < 16; ++i) {
        int v = d.values[i % d.values.size()];
        int t = sign == 0 ? v + d.offset : std::max(sign * v, 0);
        os << (i ? ", " : "") << t;
      }
      os << "};\n";
    };
    if (d.split) {
      table("kT8", 1);
      table("kT8Neg", -1);
    } else {
      table("kT8", 0);
    }
  }
  os << "\n";
}

void KernelPrinter::printInt8Quantize() {
  os << "  // Activations quantized to int8 in blocks of " << kInt8Block
     << " along K (absmax\n"
     << "  // scale, round to nearest even); the padding of the last period "
        "is zero.\n"
     << "  int8_t *xq = (int8_t *)aligned_alloc(64, ((m * KQ + 63) / 64) * "
        "64);\n"
     << "  float *xa = (float *)malloc(m * KB * sizeof(float));\n"
     << "  float *qsum = (float *)malloc(m * GROUPS * sizeof(float));\n"
     << "  for (int64_t i = 0; i < m; ++i) {\n"
     << "    for (int64_t b = 0; b < KB; ++b) {\n"
     << "      float v[" << kInt8Block << "], amax = 0.0f;\n"
     << "      bool finite = true;\n"
     << "      for (int j = 0; j < " << kInt8Block << "; ++j) {\n"
     << "        const int64_t k = b * " << kInt8Block << " + j;\n"
     << "        v[j] = k < K ? loadAct(x[i * K + k]) : 0.0f;\n"
     << "        finite = finite && isfinite(v[j]);\n"
     << "        amax = fabsf(v[j]) > amax ? fabsf(v[j]) : amax;\n"
     << "      }\n"
     << "      const float a = amax / 127.0f;\n"
     << "      int8_t *q = xq + i * KQ + b * " << kInt8Block << ";\n"
     << "      for (int j = 0; j < " << kInt8Block << "; ++j)\n"
     << "        q[j] = finite && a > 0.0f ? int8_t(nearbyintf(v[j] / a)) : "
        "0;\n"
     << "      // Non-finite activations make their rows NaN.\n"
     << "      xa[i * KB + b] = finite ? a : __builtin_nanf(\"\");\n"
     << "    }\n"
     << "    for (int64_t g = 0; g < GROUPS; ++g) {\n"
     << "      float sum = 0.0f;\n"
     << "      for (int64_t b = g * BPG; b < (g + 1) * BPG; ++b) {\n"
     << "        int bsum = 0;\n"
     << "        for (int j = 0; j < " << kInt8Block
     << "; ++j) bsum += xq[i * KQ + b * " << kInt8Block << " + j];\n"
     << "        sum += xa[i * KB + b] * float(bsum);\n"
     << "      }\n"
     << "      qsum[i * GROUPS + g] = sum;\n"
     << "    }\n"
     << "  }\n";
}

/// Prints the end of group `groupExpr` for an Int8Dot row kernel: the
/// group's accumulators scaled into y, and the offset and zero-point terms
/// (through the group's quantized activation sums) into corr.
void KernelPrinter::printInt8Flush(std::string_view indent,
                                   std::string_view groupExpr, bool vector) {
  const Int8Decode &d = *int8;
  std::string in(indent);
  os << in << "{\n"
     << in << "  const int64_t g = " << groupExpr << ";\n"
     << in << "  const float s = loadScale(scales[n * GROUPS + g]) * "
     << "scaleMul;\n";
  if (d.split)
    os << in << "  const float sn = loadScale(negScales[n * GROUPS + g]) * "
       << "scaleMul;\n";
  if (hasZero())
    os << in << "  const float z = zeros[n * GROUPS + g];\n";
  os << in << "  for (int r = 0; r < MT; ++r) {\n";
  if (vector) {
    os << in << "    for (int a = 1; a < NA; ++a) acc[r][0] = "
       << "_mm256_add_ps(acc[r][0], acc[r][a]);\n"
       << in << "    yv[r] = _mm256_fmadd_ps(_mm256_set1_ps(s), acc[r][0], "
       << "yv[r]);\n";
    if (d.split)
      os << in << "    for (int a = 1; a < NA; ++a) accn[r][0] = "
         << "_mm256_add_ps(accn[r][0], accn[r][a]);\n"
         << in << "    yv[r] = _mm256_fmadd_ps(_mm256_set1_ps(-sn), "
         << "accn[r][0], yv[r]);\n"
         << in << "    for (int a = 0; a < NA; ++a) accn[r][a] = "
         << "_mm256_setzero_ps();\n";
    os << in << "    for (int a = 0; a < NA; ++a) acc[r][a] = "
       << "_mm256_setzero_ps();\n";
  } else {
    os << in << "    y[r] += s * acc[r];\n";
    if (d.split)
      os << in << "    y[r] -= sn * accn[r];\n" << in << "    accn[r] = 0.0f;\n";
    os << in << "    acc[r] = 0.0f;\n";
  }
  // Vector kernels multiply t = V + OFFSET; the scalar kernel multiplies V.
  std::string offsetTerm =
      vector && !d.split && d.offset != 0 ? "float(OFFSET)" : "";
  if (spec.scheme.zeroPoint == ZeroPointMode::Integer)
    offsetTerm += std::string(offsetTerm.empty() ? "" : " + ") +
                  "z * ZERO_FACTOR";
  os << in << "    const float qs = qsum[(m0 + r) * GROUPS + g];\n";
  if (!offsetTerm.empty())
    os << in << "    corr[r] -= s * (" << offsetTerm << ") * qs;\n";
  if (spec.scheme.zeroPoint == ZeroPointMode::Float)
    os << in << "    corr[r] -= z * qs;\n";
  os << in << "    (void)qs;\n" << in << "  }\n" << in << "}\n";
}

void KernelPrinter::printInt8ScalarRowKernel() {
  const Int8Decode &d = *int8;
  os << "// Computes MT rows of y for output row n, from rows m0.. of xq, "
        "over\n"
     << "// the periods [u0, u1) of the weight layout: an int32 dot per block "
        "of\n// activations, scaled by the block's scale.\n"
     << kInt8RowKernelSignature << "  (void)zeros; (void)negScales;\n"
     << "  const uint8_t *wrow = (const uint8_t *)w + n * WORDS_PER_ROW;\n"
     << "  float y[MT], corr[MT], acc[MT]" << (d.split ? ", accn[MT]" : "")
     << ";\n"
     << "  for (int r = 0; r < MT; ++r) { y[r] = 0.0f; corr[r] = 0.0f; acc[r] "
        "= 0.0f;"
     << (d.split ? " accn[r] = 0.0f;" : "") << " }\n"
     << "  const int64_t bEnd = u1 * PER_WORD < BLOCKS ? u1 * PER_WORD : "
        "BLOCKS;\n"
     << "  for (int64_t b = u0 * PER_WORD; b < bEnd; ++b) {\n"
     << "    const uint8_t *wb = wrow + b / PER_WORD * LANES;\n"
     << "    const int shift = BITS * int(b % PER_WORD);\n"
     << "    int32_t dot[MT]" << (d.split ? ", dotn[MT]" : "") << ";\n"
     << "    for (int r = 0; r < MT; ++r) { dot[r] = 0;"
     << (d.split ? " dotn[r] = 0;" : "") << " }\n"
     << "    for (int j = 0; j < LANES; ++j) {\n"
     << "      const int v = kV[(wb[j] >> shift) & CODE_MASK];\n"
     << "      for (int r = 0; r < MT; ++r) {\n"
     << "        const int q = xq[(m0 + r) * KQ + b * LANES + j];\n";
  if (d.split)
    os << "        dot[r] += q * (v > 0 ? v : 0);\n"
       << "        dotn[r] += q * (v < 0 ? -v : 0);\n";
  else
    os << "        dot[r] += q * v;\n";
  os << "      }\n    }\n"
     << "    for (int r = 0; r < MT; ++r) {\n"
     << "      acc[r] += xa[(m0 + r) * KB + b] * float(dot[r]);\n"
     << (d.split ? "      accn[r] += xa[(m0 + r) * KB + b] * float(dotn[r]);\n"
                 : "")
     << "    }\n"
     << "    if ((b + 1) % BPG == 0)\n";
  printInt8Flush("    ", "b / BPG", false);
  os << "  }\n"
     << "  for (int r = 0; r < MT; ++r) out[r] = y[r] + corr[r];\n}\n\n";
}

void KernelPrinter::printInt8VectorRowKernel() {
  const Int8Decode &d = *int8;
  bool vnni = spec.isa == Isa::AVX512;
  int64_t blocks = spec.k / kInt8Block;
  int64_t fullUnits = blocks / perWord, tailBlocks = blocks % perWord;
  int64_t perGroup = group / kInt8Block;
  os << "// Computes MT rows of y for output row n, from rows m0.. of xq, over\n"
     << "// the periods [u0, u1) of the weight layout (period FULL_UNITS is "
        "the\n// partial one): one load of " << lanes
     << " bytes gives PER_WORD vectors of codes, each one\n"
     << "// block of activations; NA accumulators per row hide the FMA "
        "latency.\n"
     << "[[maybe_unused]] constexpr int64_t FULL_UNITS = " << fullUnits << ";\n"
     << "// Products of unsigned bytes and signed activations, summed per "
        "32-bit lane.\n"
     << "inline __m256i dot(__m256i u, __m256i s) {\n";
  if (vnni)
    os << "  return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s);\n";
  else
    os << "  return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), "
          "_mm256_set1_epi16(1));\n";
  os << "}\n"
     << kInt8RowKernelSignature << "  (void)zeros; (void)negScales;\n"
     << "  const uint8_t *wrow = (const uint8_t *)w + n * WORDS_PER_ROW;\n"
     << "  __m256 yv[MT], acc[MT][NA]" << (d.split ? ", accn[MT][NA]" : "")
     << ";\n"
     << "  float corr[MT];\n"
     << "  for (int r = 0; r < MT; ++r) {\n"
     << "    yv[r] = _mm256_setzero_ps(); corr[r] = 0.0f;\n"
     << "    for (int a = 0; a < NA; ++a) { acc[r][a] = _mm256_setzero_ps();"
     << (d.split ? " accn[r][a] = _mm256_setzero_ps();" : "") << " }\n"
     << "  }\n"
     << "  [[maybe_unused]] const __m256i mask = "
        "_mm256_set1_epi8(char(CODE_MASK));\n"
     << "  [[maybe_unused]] const __m256i zero = _mm256_setzero_si256();\n"
     << "  [[maybe_unused]] const __m256i off = "
        "_mm256_set1_epi8(char(OFFSET));\n";
  if (d.kind == Int8Decode::Table) {
    os << "  const __m256i tb = _mm256_broadcastsi128_si256(_mm_load_si128("
          "(const __m128i *)kT8));\n";
    if (d.split)
      os << "  const __m256i tbn = _mm256_broadcastsi128_si256(_mm_load_si128("
            "(const __m128i *)kT8Neg));\n";
  }
  // The byte that flips the sign bit of every code slot: signed codes as
  // unsigned t = V + 2^(bits-1), and unsigned 8-bit codes as int8.
  uint32_t flip = 0;
  bool isSigned = spec.weight.kind() == FormatKind::SignedInt;
  if (d.kind == Int8Decode::Offset && isSigned)
    for (unsigned slot = 0; slot < perWord; ++slot)
      flip |= 1u << (slot * bits + bits - 1);
  if (d.kind == Int8Decode::Signed8 && !isSigned)
    flip = 0x80;
  auto printUnit = [&](int64_t count, bool fullUnit) {
    os << "    __m256i wv = _mm256_loadu_si256((const __m256i *)(wrow + u * "
          "LANES));\n";
    printWeightPrefetch("    ", "wrow + u * LANES");
    if (flip)
      os << "    wv = _mm256_xor_si256(wv, _mm256_set1_epi8(char(" << flip
         << ")));\n";
    for (int64_t i = 0; i < count; ++i) {
      os << "    {  // block " << i << " of the period\n"
         << "      const int64_t b = u * PER_WORD + " << i << ";\n";
      std::string code =
          i == 0 ? "wv" : cat("_mm256_srli_epi16(wv, ", i * bits, ")");
      if (bits < 8)
        code = cat("_mm256_and_si256(", code, ", mask)");
      os << "      const __m256i c = " << code << ";\n";
      switch (d.kind) {
      case Int8Decode::Offset:
        if (d.split)
          os << "      const __m256i tp = _mm256_subs_epu8(c, off);\n"
             << "      const __m256i tn = _mm256_subs_epu8(off, c);\n";
        break;
      case Int8Decode::Signed8:
        if (d.split)
          os << "      const __m256i tp = _mm256_max_epi8(c, zero);\n"
             << "      const __m256i tn = _mm256_abs_epi8(_mm256_min_epi8(c, "
                "zero));\n";
        else
          os << "      const __m256i ta = _mm256_abs_epi8(c);\n";
        break;
      case Int8Decode::Table:
        if (d.split)
          os << "      const __m256i tp = _mm256_shuffle_epi8(tb, c);\n"
             << "      const __m256i tn = _mm256_shuffle_epi8(tbn, c);\n";
        else
          os << "      const __m256i tp = _mm256_shuffle_epi8(tb, c);\n";
        break;
      }
      os << "      for (int r = 0; r < MT; ++r) {\n"
         << "        const __m256i qv = _mm256_loadu_si256((const __m256i *)(xq "
            "+ (m0 + r) * KQ + b * LANES));\n"
         << "        const __m256 av = _mm256_set1_ps(xa[(m0 + r) * KB + b]);\n";
      std::string positive;
      if (d.split)
        positive = "dot(tp, qv)";
      else if (d.kind == Int8Decode::Signed8)
        positive = "dot(ta, _mm256_sign_epi8(qv, c))";
      else if (d.kind == Int8Decode::Table)
        positive = "dot(tp, qv)";
      else
        positive = "dot(c, qv)";
      os << "        acc[r][" << i << " % NA] = _mm256_fmadd_ps("
         << "_mm256_cvtepi32_ps(" << positive << "), av, acc[r][" << i
         << " % NA]);\n";
      if (d.split)
        os << "        accn[r][" << i << " % NA] = _mm256_fmadd_ps("
           << "_mm256_cvtepi32_ps(dot(tn, qv)), av, accn[r][" << i
           << " % NA]);\n";
      os << "      }\n";
      // Group ends: known at compile time when groups hold whole periods or
      // periods whole groups; counted otherwise.
      if (perWord % perGroup == 0) {
        if ((i + 1) % perGroup == 0)
          printInt8Flush("      ", cat("b / ", perGroup), true);
      } else if (perGroup % perWord != 0 || !fullUnit) {
        os << "      if (++counted == " << perGroup << ") {\n"
           << "        counted = 0;\n";
        printInt8Flush("        ", cat("b / ", perGroup), true);
        os << "      }\n";
      }
      os << "    }\n";
    }
    if (fullUnit && perWord % perGroup != 0 && perGroup % perWord == 0) {
      os << "    if ((u + 1) % " << perGroup / perWord << " == 0)\n";
      printInt8Flush("    ", cat("u / ", perGroup / perWord), true);
    }
  };
  os << "  int counted = 0; (void)counted;\n"
     << "  const int64_t uEnd = u1 < FULL_UNITS ? u1 : FULL_UNITS;\n"
     << "  for (int64_t u = u0; u < uEnd; ++u) {\n";
  printUnit(perWord, true);
  os << "  }\n";
  if (tailBlocks) {
    os << "  if (u1 > FULL_UNITS) {\n    const int64_t u = FULL_UNITS;\n";
    printUnit(tailBlocks, false);
    os << "  }\n";
  }
  os << "  for (int r = 0; r < MT; ++r)\n"
     << "    out[r] = reduceAdd(yv[r]) + corr[r];\n}\n\n";
}

/// Prints the store of output element y[row, n] from its f32 accumulator
/// `acc`: bias, epilogue, conversion to the output type.
void KernelPrinter::printStore(std::string_view indent, std::string_view acc,
                               std::string_view row) {
  os << lut::printStore(spec, indent, acc, row, "n");
}

/// Prints the entry's panel branch: calls of at least PANEL_ROWS rows
/// return from it.
void KernelPrinter::printPanelEntry() {
  bool f32 = spec.activation == ScalarType::F32;
  os << "  if (PANEL_ROWS > 0 && m >= PANEL_ROWS) {\n";
  if (f32)
    os << "    const float *xf = x;  // f32 activations are read in place.\n";
  else
    os << "    // The activations as f32, once.\n"
       << "    float *xf = (float *)aligned_alloc(64, ((m * K * 4 + 63) / 64) "
          "* 64);\n"
       << "    for (int64_t i = 0; i < m * K; ++i) xf[i] = loadAct(x[i]);\n";
  os << "    const float scaleMul = tensorScale * SCALE_FACTOR;\n"
     << "    (void)threads; (void)bias;\n"
     << "#if defined(_OPENMP)\n"
     << "#pragma omp parallel num_threads(threads > 0 ? threads : 1)\n"
     << "#endif\n"
     << "    {\n"
     << "      float *panel = (float *)aligned_alloc(64, PANEL_NB * PANEL_KC "
        "* sizeof(float));\n"
     << "      // The sums of the thread's block of PANEL_NB outputs, per "
        "row.\n"
     << "      float *cb = (float *)aligned_alloc(64, ((m * PANEL_NB * 4 + 63) "
        "/ 64) * 64);\n"
     << "#if defined(_OPENMP)\n"
     << "#pragma omp for schedule(static)\n"
     << "#endif\n"
     << "      for (int64_t n0 = 0; n0 < N; n0 += PANEL_NB) {\n"
     << "        const int64_t cols = N - n0 < PANEL_NB ? N - n0 : "
        "PANEL_NB;\n"
     << "        memset(cb, 0, m * PANEL_NB * sizeof(float));\n"
     << "        for (int64_t b0 = 0; b0 < BLOCKS; b0 += PANEL_BLOCKS) {\n"
     << "          const int64_t b1 = b0 + PANEL_BLOCKS < BLOCKS ? b0 + "
        "PANEL_BLOCKS : BLOCKS;\n"
     << "          const int64_t k0 = b0 * PERIOD;\n"
     << "          const int64_t len = (b1 * PERIOD < K ? b1 * PERIOD : K) - "
        "k0;\n"
     << "          for (int64_t j = 0; j < cols; ++j)\n"
     << "            decodePanelRow(w, scales, zeros, negScales, scaleMul, n0 "
        "+ j, b0, b1,\n"
     << "                           panel + j * PANEL_KC);\n"
     << "          for (int64_t m0 = 0; m0 < m; m0 += PANEL_MR) {\n"
     << "            const int mr = m - m0 < PANEL_MR ? int(m - m0) : "
        "PANEL_MR;\n"
     << "            for (int64_t j = 0; j < cols; j += PANEL_NR)\n"
     << "              panelTile(mr, cols - j < PANEL_NR ? int(cols - j) : "
        "PANEL_NR,\n"
     << "                        xf + m0 * K + k0, panel + j * PANEL_KC, "
        "len,\n"
     << "                        cb + m0 * PANEL_NB + j);\n"
     << "          }\n        }\n"
     << "        for (int64_t r = 0; r < m; ++r) {\n"
     << "          for (int64_t j = 0; j < cols; ++j) {\n"
     << "            const int64_t n = n0 + j;\n";
  printStore("            ", "cb[r * PANEL_NB + j]", "r");
  os << "          }\n        }\n      }\n"
     << "      free(cb);\n      free(panel);\n    }\n"
     << (f32 ? "" : "    free(xf);\n") << "    return;\n  }\n";
}

void KernelPrinter::printEntry() {
  os << lut::printEntryOpening(spec);
  if (spec.epilogue) {
    const std::vector<EpilogueOperand> &operands = spec.epilogue->operands;
    if (operands.empty())
      os << "  (void)epilogueOperands;\n";
    for (size_t i = 0; i < operands.size(); ++i) {
      const char *type = epilogueMemoryType(operands[i].type);
      os << "  const " << type << " *ep" << i << " = (const " << type
         << " *)epilogueOperands[" << i << "];\n";
    }
  }
  if (panel())
    printPanelEntry();
  if (int8) {
    printInt8Quantize();
  } else {
    // Per-group activation sums for zero points; the dequant kernel also
    // converts the activations to f32 once (xs), while the bf16-dot kernel
    // reads them where they are.
    os << (bf16      ? "  // The kernel reads the bf16 activations where they "
                       "are; per-group sums for\n  // zero points.\n"
           : inPlace ? "  // Activations as f32 times kActScale of their code "
                       "position, and per-group\n  // sums for zero points.\n"
                     : "  // Activations as f32, and per-group sums for zero "
                       "points.\n");
    if (!bf16)
      os << "  float *xs = (float *)aligned_alloc(64, ((m * K * 4 + 63) / 64) "
            "* 64);\n";
    os << "  float *xsum = (float *)malloc(m * GROUPS * sizeof(float));\n"
       << "  for (int64_t i = 0; i < m; ++i) {\n"
       << "    for (int64_t g = 0; g < GROUPS; ++g) {\n"
       << "      float sum = 0.0f;\n"
       << "      for (int64_t k = g * GROUP; k < (g + 1) * GROUP; ++k) {\n"
       << "        const float v = loadAct(x[i * K + k]);\n";
    if (!bf16)
      os << "        xs[i * K + k] = v"
         << (inPlace ? " * kActScale[k % PERIOD / LANES]" : "") << ";\n";
    os << "        sum += v;\n      }\n"
       << "      xsum[i * GROUPS + g] = sum;\n    }\n  }\n";
  }
  os << "  const float scaleMul = tensorScale * SCALE_FACTOR;\n";
  // The schedule: full tiles of ROWS rows, remainder tiles of halving size,
  // and PASSES passes over K of PASS_UNITS units (blocks of PER_WORD vectors,
  // or groups for the scalar kernel) each.
  const CpuSchedule &schedule = spec.schedule;
  // Units: groups for the scalar dequant kernel, periods of the weight
  // layout otherwise.
  bool groupUnits = spec.isa == Isa::Scalar && !int8;
  int64_t units = groupUnits ? groups : (spec.k + period - 1) / period;
  int64_t passUnits = units, passes = 1;
  if (schedule.kBlock > 0 && schedule.kBlock < spec.k) {
    passUnits = schedule.kBlock / (groupUnits ? group : period);
    passes = (units + passUnits - 1) / passUnits;
  }
  os << "  // schedule " << formatSchedule(schedule) << ": tiles of "
     << schedule.rows << " rows, " << passes << " pass"
     << (passes > 1 ? "es" : "") << " over K\n"
     << "  constexpr int64_t UNITS = " << units << ", PASS_UNITS = "
     << passUnits << ", PASSES = " << passes << ";\n";
  if (passes > 1)
    os << "  // Partial sums of the passes before the last.\n"
       << "  float *part = (float *)calloc(m * N, sizeof(float));\n";
  os << "  (void)threads;\n"
     << "#if defined(_OPENMP)\n"
     << "#pragma omp parallel num_threads(threads > 0 ? threads : 1)\n"
     << "#endif\n"
     << "  for (int64_t pass = 0; pass < PASSES; ++pass) {\n"
     << "    const int64_t u0 = pass * PASS_UNITS;\n"
     << "    const int64_t u1 = u0 + PASS_UNITS < UNITS ? u0 + PASS_UNITS : "
        "UNITS;\n"
     << (passes > 1 ? "    const bool last = pass == PASSES - 1;\n" : "")
     << "    // The same static schedule every pass: each thread revisits its\n"
     << "    // own rows of N, so partial sums need no synchronization.\n"
     << "#if defined(_OPENMP)\n"
     << "#pragma omp for schedule(static)\n"
     << "#endif\n"
     << "    for (int64_t n = 0; n < N; ++n) {\n"
     << "      float acc[" << schedule.rows << "];\n"
     << "      int64_t m0 = 0;\n";
  auto printTile = [&](int rows, int accumulators, bool loop) {
    os << (loop
               ? cat("      for (; m0 + ", rows, " <= m; m0 += ", rows, ") {\n")
               : cat("      if (m0 + ", rows, " <= m) {\n"))
       << "        rowKernel<" << rows << ", " << accumulators << ">("
       << (int8   ? "xq, xa, qsum"
           : bf16 ? "x, xsum"
                  : "xs, xsum")
       << ", m0, n, w, scales, zeros, negScales, scaleMul, u0, u1, acc);\n"
       << "        for (int r = 0; r < " << rows << "; ++r) {\n";
    if (passes > 1)
      os << "          float &p = part[(m0 + r) * N + n];\n"
         << "          if (!last) { p += acc[r]; continue; }\n"
         << "          acc[r] += p;\n";
    printStore("          ", "acc[r]", "(m0 + r)");
    os << "        }\n" << (loop ? "" : "        m0 += " + std::to_string(rows) + ";\n")
       << "      }\n";
  };
  printTile(schedule.rows, schedule.accumulators, true);
  for (int rows = schedule.rows / 2; rows >= 1; rows /= 2)
    printTile(rows, std::max(1, 4 / rows), false);
  os << "    }\n  }\n"
     << "  (void)bias;\n";
  if (passes > 1)
    os << "  free(part);\n";
  os << (int8   ? "  free(qsum);\n  free(xa);\n  free(xq);\n}\n"
         : bf16 ? "  free(xsum);\n}\n"
                : "  free(xsum);\n  free(xs);\n}\n");
}

std::string KernelPrinter::print() {
  printPrelude();
  if (int8)
    printInt8Tables();
  else
    printTables();
  printConversions();
  if (spec.epilogue)
    printEpilogue();
  if (int8) {
    if (spec.isa != Isa::Scalar)
      printVectorHelpers();
    if (spec.isa == Isa::Scalar)
      printInt8ScalarRowKernel();
    else
      printInt8VectorRowKernel();
  } else if (spec.isa == Isa::Scalar) {
    printScalarRowKernel();
  } else {
    printVectorHelpers();
    printVectorRowKernel();
    if (panel())
      printPanelKernel();
  }
  printEntry();
  return os.str();
}
} // namespace

std::string lowbit::cpu::lut::printHelpers(const KernelSpec &spec) {
  return KernelPrinter(spec).printHelpers();
}

std::string lowbit::cpu::lut::printStore(const KernelSpec &spec,
                                         std::string_view indent,
                                         std::string_view acc,
                                         std::string_view row,
                                         std::string_view col) {
  std::ostringstream os;
  os << indent << "const float v = " << acc
     << (spec.bias ? cat(" + loadOut(bias[", col, "])") : std::string())
     << ";\n"
     << indent << "y[" << row << " * N + " << col << "] = storeOut(";
  if (!spec.epilogue) {
    os << "v);\n";
    return os.str();
  }
  os << "epilogue(v";
  for (size_t i = 0; i < spec.epilogue->operands.size(); ++i) {
    const EpilogueOperand &operand = spec.epilogue->operands[i];
    std::string element = operand.shape == EpilogueShape::N
                              ? cat("ep", i, "[", col, "]")
                              : cat("ep", i, "[", row, " * N + ", col, "]");
    os << ", " << epilogueLoad(operand.type, element);
  }
  os << "));\n";
  return os.str();
}

std::string lowbit::cpu::lut::printEntryOpening(const KernelSpec &spec) {
  const char *act = memoryType(spec.activation);
  const char *out = memoryType(spec.output);
  std::ostringstream os;
  os << "} // namespace " << spec.name << "_impl\n\n"
     << "// y[m, n] = "
     << (spec.epilogue ? "epilogue(sum_k x[m, k] * W[n, k] (+ bias[n]), "
                         "operands)"
                       : "sum_k x[m, k] * W[n, k] (+ bias[n])")
     << "; see the header.\n"
     << "extern \"C\" void " << spec.name << "(const " << act
     << " *x, int64_t m, const uint32_t *w, const " << spec.name
     << "_impl::ScaleT *scales, const float *zeros, const " << spec.name
     << "_impl::ScaleT *negScales, float tensorScale, const " << out
     << " *bias, " << out << " *y, int threads"
     << (spec.epilogue ? ", const void *const *epilogueOperands" : "")
     << ") {\n"
     << "  using namespace " << spec.name << "_impl;\n"
     << "  if (m <= 0) return;\n";
  return os.str();
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

PanelShape lowbit::cpu::panelShape(const KernelSpec &spec) {
  PanelShape shape;
  // 16 registers on AVX2 hold 3 x 4 accumulators, 3 activation vectors and
  // a panel vector; AVX-512 has 32.
  shape.rows = spec.isa == Isa::AVX512 ? 4 : 3;
  shape.cols = 4;
  shape.block = 32;
  // About 1024 elements of K per chunk: the panel (32 rows, 128 KiB) stays
  // in L2, a tile's activations (3 or 4 rows, 12-16 KiB) in L1, and the
  // reduction of the accumulators at the chunk's end is paid once per 128
  // FMAs on AVX2.
  int64_t period = dequantPeriod(spec);
  shape.chunk = std::max<int64_t>(1, 1024 / period) * period;
  return shape;
}

DecodeCost lowbit::cpu::decodeCost(const KernelSpec &spec) {
  bool asym = spec.scheme.zeroPoint == ZeroPointMode::AsymFloat;
  unsigned bits = spec.weight.bits();
  int fmas = asym ? 2 : 1;
  // Counted from printDecode, averaged over the codes of a word: the shift
  // to a code's position is absent for the first code (signed codes: the
  // shift up is absent for the last), then the decode proper; asymmetric
  // codes add a min and a max (or a second table lookup).
  double perWord = (spec.strategy == Strategy::Bf16Dot ? 16 : 32) / bits;
  double position = (perWord - 1) / perWord;
  switch (chooseDecode(spec)) {
  case Decode::Table: {
    bool blend = spec.isa == Isa::AVX2 && bits == 4;
    // AVX2 4-bit: two permutes, a shift moving bit 3 to the sign, a blend.
    double lookup = blend ? 3 : 1;
    return {"table", lookup * (asym ? 2 : 1), position + (blend ? 1 : 0), 0,
            fmas};
  }
  case Decode::Convert:
    // In place (inPlaceDecode): a mask and a convert, a shift per word
    // whose top field reaches bit 31, and a flip per word for signed codes.
    if (!asym)
      return {"convert",
              2.0 + (spec.weight.kind() == FormatKind::SignedInt ? 1.0 / perWord
                                                                 : 0.0),
              32 % bits ? 0.0 : 1.0 / perWord, 0, fmas};
    // asym-fp: shifts to the code, a convert, a min and a max.
    if (spec.weight.kind() == FormatKind::SignedInt)
      return {"convert", 3.0, 1 + position, 0, fmas};
    return {"convert", 4.0, position, 0, fmas};
  case Decode::FloatBits:
    return {"float-bits", 3.0 + (asym ? 2 : 0), 2 + position, 0, fmas};
  case Decode::Gather:
    return {"gather", 1, position, asym ? 2.0 : 1.0, fmas};
  case Decode::ScalarTable:
    return {"scalar-table", asym ? 5.0 : 4.0, 0, 0, fmas};
  case Decode::Bf16Table: {
    // One vpermw (at most 6 bits: vpermt2w); 7 bits: two vpermt2w, a test
    // and a blend; 8 bits: four, two tests and three blends. The tests are
    // shared by the negative part's lookup.
    double lookup = bits <= 6 ? 1 : bits == 7 ? 3 : 7;
    double tests = bits <= 6 ? 0 : bits == 7 ? 1 : 2;
    return {"bf16-table", lookup * (asym ? 2 : 1) + tests, position, 0, fmas};
  }
  }
  return {"", 0, 0, 0, fmas};
}

std::string lowbit::cpu::verifyKernelName(const std::string &name) {
  auto identifierChar = [](char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
  };
  if (name.empty() || (name[0] >= '0' && name[0] <= '9') ||
      !std::all_of(name.begin(), name.end(), identifierChar))
    return "the kernel name '" + name +
           "' is not a C identifier (letters, digits and '_', not starting "
           "with a digit)";
  return "";
}

std::string lowbit::cpu::verifyKernelSpec(const KernelSpec &spec) {
  std::string nameError = verifyKernelName(spec.name);
  if (!nameError.empty())
    return nameError;
  if (spec.n < 1 || spec.k < 1)
    return "the weight shape [" + std::to_string(spec.n) + ", " +
           std::to_string(spec.k) + "] must be positive";
  // Bit offsets into the packed weights are 64-bit: N * K codes of up to 8
  // bits must be addressable.
  int64_t elements;
  if (__builtin_mul_overflow(spec.n, spec.k, &elements) ||
      elements > INT64_MAX / 8)
    return "the weight shape [" + std::to_string(spec.n) + ", " +
           std::to_string(spec.k) +
           "] is too large: its bit size overflows 64 bits";
  const std::vector<int64_t> &group = spec.scheme.groupShape;
  if (group.size() != 2 || group[0] != 1)
    return "CPU kernels take schemes grouped along K only (group [1, G]), got "
           "a group of rank " +
           std::to_string(group.size()) +
           (group.size() == 2
                ? " with extent " + std::to_string(group[0]) + " along N"
                : "");
  std::string error =
      numerics::verifyScheme({spec.n, spec.k}, spec.weight, spec.scheme);
  if (!error.empty())
    return error;
  if (spec.isa == Isa::Neon && spec.strategy != Strategy::Lut)
    return std::string("the neon ISA has lut kernels only (integer and "
                       "ternary weights), not ") +
           strategyName(spec.strategy) +
           "; use the lut strategy, or an x86 ISA";
  unsigned lanes = isaLanes(spec.isa);
  if (spec.strategy == Strategy::Int8Dot && group[1] % kInt8Block != 0)
    return "the int8-dot strategy quantizes activations in blocks of " +
           std::to_string(kInt8Block) +
           " and needs a group size that is a multiple of it, got " +
           std::to_string(group[1]) + "; use the dequant strategy";
  if (spec.strategy == Strategy::Dequant && spec.isa != Isa::Scalar &&
      group[1] % lanes != 0)
    return "the " + std::string(isaName(spec.isa)) +
           " kernel needs a group size that is a multiple of " +
           std::to_string(lanes) + ", got " + std::to_string(group[1]) +
           "; use the scalar kernel";
  const CpuSchedule &schedule = spec.schedule;
  auto powerOfTwoUpTo8 = [](int v) { return v == 1 || v == 2 || v == 4 || v == 8; };
  if (!powerOfTwoUpTo8(schedule.rows))
    return "schedule rows=" + std::to_string(schedule.rows) +
           " is not 1, 2, 4 or 8";
  if (!powerOfTwoUpTo8(schedule.accumulators))
    return "schedule acc=" + std::to_string(schedule.accumulators) +
           " is not 1, 2, 4 or 8";
  if (schedule.threads < 0)
    return "schedule threads=" + std::to_string(schedule.threads) +
           " is negative";
  if (schedule.panel < 0)
    return "schedule panel=" + std::to_string(schedule.panel) +
           " is negative; use 0 for no panel path";
  if (schedule.kBlock != 0) {
    int64_t quantum = kBlockQuantum(spec);
    if (schedule.kBlock % quantum != 0 || schedule.kBlock >= spec.k)
      return "schedule kblock=" + std::to_string(schedule.kBlock) +
             " is not a multiple of " + std::to_string(quantum) +
             " (the group size and weight-layout period) below K = " +
             std::to_string(spec.k) + "; use 0 for one pass over K";
  }
  if (spec.epilogue && spec.epilogue->body.empty())
    return "the epilogue body is empty; it must assign the output element "
           "to `out`";
  if (spec.strategy == Strategy::Lut)
    return lut::verifyKernelSpec(spec);
  if (spec.strategy == Strategy::Int8Dot)
    return verifyInt8Dot(spec);
  if (spec.strategy == Strategy::Bf16Dot)
    return verifyBf16Dot(spec);
  if (chooseDecode(spec) == Decode::FloatBits) {
    int bias = spec.weight.floatSpec().bias;
    if (bias < 0 || bias > 126)
      return "float codes with exponent bias " + std::to_string(bias) +
             " cannot be decoded by exponent placement; expected a bias in "
             "0..126";
  }
  return "";
}

Strategy lowbit::cpu::autoStrategy(const KernelSpec &spec) {
  auto takes = [&](Strategy strategy) {
    KernelSpec candidate = spec;
    candidate.strategy = strategy;
    candidate.schedule = CpuSchedule();
    return verifyKernelSpec(candidate).empty();
  };
  // Table lookups cost per bit plane: on this machine they beat int8 dot
  // products up to 4 bits for 1, 4 and 16 rows of activations, and lose at
  // 8 bits (docs/bench-strategies.md).
  if (spec.weight.bits() <= 4 && takes(Strategy::Lut))
    return Strategy::Lut;
  if (takes(Strategy::Int8Dot))
    return Strategy::Int8Dot;
  return Strategy::Dequant;
}

std::vector<double>
lowbit::cpu::quantizeActivationsInt8(const std::vector<float> &x, int64_t m,
                                     int64_t k) {
  std::vector<double> out(x.size());
  for (int64_t row = 0; row < m; ++row)
    for (int64_t b = 0; b < k; b += kInt8Block) {
      const float *v = x.data() + row * k + b;
      int64_t count = std::min(kInt8Block, k - b);
      float amax = 0.0f;
      for (int64_t j = 0; j < count; ++j)
        amax = std::max(amax, std::fabs(v[j]));
      const float a = amax / 127.0f;
      for (int64_t j = 0; j < count; ++j)
        out[row * k + b + j] =
            a > 0.0f ? double(std::nearbyint(v[j] / a)) * double(a) : 0.0;
    }
  return out;
}

EmitResult lowbit::cpu::emitCpuKernel(const KernelSpec &spec) {
  EmitResult result;
  result.error = verifyKernelSpec(spec);
  if (result.error.empty())
    result.source = spec.strategy == Strategy::Lut
                        ? lut::printKernel(spec)
                        : KernelPrinter(spec).print();
  return result;
}
