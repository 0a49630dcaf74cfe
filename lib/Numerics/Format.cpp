//===- Format.cpp - Low-bit element formats: encode and decode ------------===//
//
// Every format is at most 8 bits wide, so each Format decodes all its codes
// once into a table. Encoding is a binary search over the midpoints between
// neighbouring representable values, which makes round-to-nearest exact and
// lets each kind of format choose its own tie rule per midpoint.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/Format.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

using namespace lowbit::numerics;

static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
static constexpr double kInf = std::numeric_limits<double>::infinity();

/// The double nearest to sqrt(2). It lies above the true value, so an input
/// equal to a geometric midpoint 2^k * kSqrt2 is nearer (in log domain) to
/// the upper power of two.
static constexpr double kSqrt2 = 1.4142135623730951;

/// The bias float codes get unless one is given: 2^(e-1) - 1, as in IEEE.
static int defaultBias(unsigned exponentBits) {
  return (1 << (exponentBits - 1)) - 1;
}

/// The convention parse() assumes when a float name has no suffix.
static FloatConvention defaultConvention(unsigned exponentBits,
                                         unsigned mantissaBits) {
  if (1 + exponentBits + mantissaBits <= 6)
    return FloatConvention::Finite;
  if (exponentBits == 4 && mantissaBits == 3)
    return FloatConvention::FiniteNaN;
  return FloatConvention::IEEE;
}

static const char *conventionSuffix(FloatConvention convention) {
  switch (convention) {
  case FloatConvention::IEEE:
    return "_ieee";
  case FloatConvention::FiniteNaN:
    return "_fn";
  case FloatConvention::Finite:
    return "_finite";
  }
  return "";
}

//===----------------------------------------------------------------------===//
// Code tables
//===----------------------------------------------------------------------===//

/// What decode() and encode() look up. For floats the rounding grid holds
/// magnitudes only (codes below the sign bit); encode() rounds |x| and then
/// sets the sign bit, which keeps the sign of zeros and of tiny negatives.
struct Format::CodeTables {
  /// The value of every code.
  std::vector<double> decoded;
  /// The codes of the distinct finite values, by ascending value.
  std::vector<uint32_t> gridCodes;
  /// midpoints[i] separates gridCodes[i] from gridCodes[i + 1]; an input
  /// exactly on it rounds to tieCodes[i].
  std::vector<double> midpoints;
  std::vector<uint32_t> tieCodes;
  /// All finite values ascending, +0 and -0 merged.
  std::vector<double> finiteValues;
  /// The code NaN encodes to.
  uint32_t nanCode = 0;
};

/// Value of a sign/exponent/mantissa code under the spec's convention.
static double decodeFloatCode(const FloatSpec &spec, uint32_t code) {
  unsigned e = spec.exponentBits, m = spec.mantissaBits;
  uint32_t mantissaMask = (1u << m) - 1, exponentMask = (1u << e) - 1;
  uint32_t mantissa = code & mantissaMask;
  uint32_t exponent = (code >> m) & exponentMask;
  bool negative = (code >> (e + m)) & 1;

  double magnitude;
  if (exponent == exponentMask && spec.convention == FloatConvention::IEEE)
    magnitude = mantissa == 0 ? kInf : kNaN;
  else if (exponent == exponentMask && mantissa == mantissaMask &&
           spec.convention == FloatConvention::FiniteNaN)
    magnitude = kNaN;
  else if (exponent == 0) // Subnormal: no implicit leading one.
    magnitude = std::ldexp(double(mantissa), 1 - spec.bias - int(m));
  else
    magnitude = std::ldexp(double(mantissa | (1u << m)),
                           int(exponent) - spec.bias - int(m));
  return negative ? -magnitude : magnitude;
}

double Format::decodeFromDefinition(uint32_t code) const {
  switch (kind_) {
  case FormatKind::SignedInt:
    return code < numCodes() / 2 ? double(code)
                                 : double(code) - double(numCodes());
  case FormatKind::UnsignedInt:
    return double(code);
  case FormatKind::Float:
    return decodeFloatCode(float_, code);
  case FormatKind::ExponentOnly:
    return code == 255 ? kNaN : std::ldexp(1.0, int(code) - 127);
  case FormatKind::Codebook:
    return table_[code];
  case FormatKind::Ternary:
    return code < 3 ? double(code) - 1.0 : kNaN;
  }
  return kNaN;
}

/// The code an exact tie between two neighbouring grid entries goes to.
static uint32_t tieBreak(FormatKind kind, uint32_t lower, uint32_t upper) {
  switch (kind) {
  case FormatKind::SignedInt:
  case FormatKind::UnsignedInt:
  case FormatKind::Float:
    // Neighbouring integers and float magnitudes have consecutive codes, so
    // exactly one is even: the even integer or even mantissa (RNE).
    return lower % 2 == 0 ? lower : upper;
  case FormatKind::ExponentOnly:
    // The midpoint is kSqrt2 * 2^k, which is above the true geometric mean.
    return upper;
  case FormatKind::Codebook:
  case FormatKind::Ternary:
    return std::min(lower, upper);
  }
  return lower;
}

/// Finite values ascending, without duplicates, -0 counted as +0.
static std::vector<double>
sortedFiniteValues(const std::vector<double> &decoded) {
  std::vector<double> values;
  for (double value : decoded)
    if (std::isfinite(value))
      values.push_back(value == 0 ? 0.0 : value);
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

/// The distinct finite values of codes [0, limit) ascending, each with its
/// smallest code, so that a value shared by several codebook entries
/// encodes to the smallest of them.
static std::vector<std::pair<double, uint32_t>>
roundingGrid(const std::vector<double> &decoded, uint32_t limit) {
  std::vector<std::pair<double, uint32_t>> grid;
  for (uint32_t code = 0; code < limit; ++code)
    if (std::isfinite(decoded[code]))
      grid.emplace_back(decoded[code], code);
  std::sort(grid.begin(), grid.end());
  auto sameValue = [](const auto &a, const auto &b) {
    return a.first == b.first;
  };
  grid.erase(std::unique(grid.begin(), grid.end(), sameValue), grid.end());
  return grid;
}

/// The code NaN encodes to: the largest code below `limit` that decodes to
/// NaN (0x7F for both e4m3fn and e5m2, 255 for e8m0, 3 for ternary), or 0.
static uint32_t nanCodeOf(const std::vector<double> &decoded, uint32_t limit) {
  for (uint32_t code = limit; code-- > 0;)
    if (std::isnan(decoded[code]))
      return code;
  return 0;
}

void Format::buildTables() {
  auto tables = std::make_shared<CodeTables>();
  for (uint32_t code = 0; code < numCodes(); ++code)
    tables->decoded.push_back(decodeFromDefinition(code));
  tables->finiteValues = sortedFiniteValues(tables->decoded);

  // Floats round their magnitude, so their grid only has the codes below the
  // sign bit.
  uint32_t gridLimit = kind_ == FormatKind::Float ? numCodes() / 2 : numCodes();
  std::vector<std::pair<double, uint32_t>> grid =
      roundingGrid(tables->decoded, gridLimit);
  for (size_t i = 0; i < grid.size(); ++i) {
    tables->gridCodes.push_back(grid[i].second);
    if (i + 1 == grid.size())
      break;
    auto [lower, lowerCode] = grid[i];
    auto [upper, upperCode] = grid[i + 1];
    // e8m0 rounds in log domain, so its midpoints are geometric. Elsewhere
    // halving each side first cannot overflow, and the midpoint is exact for
    // integers, float codes and tables of f32 values such as NF4 (arbitrary
    // doubles may put it an ulp off).
    tables->midpoints.push_back(kind_ == FormatKind::ExponentOnly
                                    ? lower * kSqrt2
                                    : lower / 2 + upper / 2);
    tables->tieCodes.push_back(tieBreak(kind_, lowerCode, upperCode));
  }
  tables->nanCode = nanCodeOf(tables->decoded, gridLimit);
  tables_ = std::move(tables);
}

//===----------------------------------------------------------------------===//
// Construction
//===----------------------------------------------------------------------===//

Format Format::signedInt(unsigned bits) {
  assert(bits >= 1 && bits <= 8 && "integer formats have 1 to 8 bits");
  Format format;
  format.kind_ = FormatKind::SignedInt;
  format.bits_ = bits;
  format.buildTables();
  return format;
}

Format Format::unsignedInt(unsigned bits) {
  assert(bits >= 1 && bits <= 8 && "integer formats have 1 to 8 bits");
  Format format;
  format.kind_ = FormatKind::UnsignedInt;
  format.bits_ = bits;
  format.buildTables();
  return format;
}

Format Format::floatCode(unsigned exponentBits, unsigned mantissaBits,
                         FloatConvention convention, std::optional<int> bias) {
  assert(exponentBits >= 1 && 1 + exponentBits + mantissaBits <= 8 &&
         "float codes need an exponent and fit in 8 bits");
  Format format;
  format.kind_ = FormatKind::Float;
  format.bits_ = 1 + exponentBits + mantissaBits;
  format.float_.exponentBits = exponentBits;
  format.float_.mantissaBits = mantissaBits;
  format.float_.bias = bias.value_or(defaultBias(exponentBits));
  format.float_.convention = convention;
  format.buildTables();
  return format;
}

Format Format::e8m0() {
  Format format;
  format.kind_ = FormatKind::ExponentOnly;
  format.bits_ = 8;
  format.buildTables();
  return format;
}

Format Format::codebook(unsigned bits, std::vector<double> values,
                        std::string name) {
  assert(bits >= 1 && bits <= 8 && values.size() == (size_t(1) << bits) &&
         "a codebook has 2^bits values, 1 <= bits <= 8");
  Format format;
  format.kind_ = FormatKind::Codebook;
  format.bits_ = bits;
  format.table_ = std::move(values);
  format.name_ = std::move(name);
  format.buildTables();
  return format;
}

Format Format::nf4() {
  // bitsandbytes' NF4 table: quantiles of N(0, 1) scaled to [-1, 1], with an
  // exact zero.
  return codebook(
      4,
      {-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
       -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
       0.07958029955625534, 0.16093020141124725, 0.24611230194568634,
       0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
       0.7229568362236023, 1.0},
      "nf4");
}

Format Format::ternary() {
  Format format;
  format.kind_ = FormatKind::Ternary;
  format.bits_ = 2;
  format.buildTables();
  return format;
}

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

/// Parses a decimal number of at most three digits; the digit limit keeps
/// the value far from overflow.
static std::optional<int> parseSmallNumber(std::string_view text) {
  if (text.empty() || text.size() > 3)
    return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

static std::optional<Format> fail(std::string *error, std::string message) {
  if (error)
    *error = std::move(message);
  return std::nullopt;
}

static std::optional<Format> parseInteger(std::string_view name,
                                          std::string_view digits,
                                          bool isSigned, std::string *error) {
  std::optional<int> bits = parseSmallNumber(digits);
  if (!bits || *bits < 1 || *bits > 8)
    return fail(error, "integer format '" + std::string(name) +
                           "' has an invalid width '" + std::string(digits) +
                           "'; expected 1 to 8 bits");
  return isSigned ? Format::signedInt(*bits) : Format::unsignedInt(*bits);
}

/// Parses the `_ieee`/`_fn`/`_finite` and `_b<N>` suffixes of a float name
/// into convention and bias, reporting the first token it does not know.
static bool parseFloatSuffixes(std::string_view name, std::string_view rest,
                               FloatConvention &convention,
                               std::optional<int> &bias, std::string *error) {
  bool sawConvention = false;
  while (!rest.empty()) {
    if (rest.front() != '_') {
      fail(error, "float format '" + std::string(name) +
                      "' has unexpected text '" + std::string(rest) +
                      "'; expected eXmY followed by optional _ieee, _fn, "
                      "_finite or _b<bias> suffixes");
      return false;
    }
    rest.remove_prefix(1);
    std::string_view token = rest.substr(0, rest.find('_'));
    rest.remove_prefix(token.size());
    if (!sawConvention && !bias && token == "ieee")
      convention = FloatConvention::IEEE;
    else if (!sawConvention && !bias && token == "fn")
      convention = FloatConvention::FiniteNaN;
    else if (!sawConvention && !bias && token == "finite")
      convention = FloatConvention::Finite;
    else if (!bias && token.size() >= 2 && token[0] == 'b') {
      bool negative = token[1] == '-';
      std::optional<int> magnitude =
          parseSmallNumber(token.substr(negative ? 2 : 1));
      if (!magnitude) {
        fail(error, "float format '" + std::string(name) +
                        "' has an invalid bias '" + std::string(token) +
                        "'; expected _b followed by an integer");
        return false;
      }
      bias = negative ? -*magnitude : *magnitude;
      continue;
    } else {
      fail(error, "float format '" + std::string(name) +
                      "' has an unknown or misplaced suffix '_" +
                      std::string(token) +
                      "'; expected _ieee, _fn or _finite, then optionally "
                      "_b<bias>");
      return false;
    }
    sawConvention = true;
  }
  return true;
}

/// Parses `eXmY` with its optional suffixes.
static std::optional<Format> parseFloat(std::string_view name,
                                        std::string *error) {
  size_t mPos = name.find('m');
  size_t end = name.find('_');
  if (mPos == std::string_view::npos ||
      (end != std::string_view::npos && mPos > end))
    return std::nullopt;
  std::optional<int> e = parseSmallNumber(name.substr(1, mPos - 1));
  std::optional<int> m = parseSmallNumber(name.substr(
      mPos + 1, end == std::string_view::npos ? end : end - mPos - 1));
  if (!e || !m)
    return std::nullopt;
  if (*e < 1)
    return fail(error, "float format '" + std::string(name) +
                           "' has no exponent bits; expected at least 1");
  if (1 + *e + *m > 8)
    return fail(error, "float format '" + std::string(name) + "' needs " +
                           std::to_string(1 + *e + *m) +
                           " bits (sign, exponent and mantissa); expected at "
                           "most 8");
  FloatConvention convention = defaultConvention(*e, *m);
  std::optional<int> bias;
  if (!parseFloatSuffixes(name, name.substr(std::min(end, name.size())),
                          convention, bias, error))
    return std::nullopt;
  return Format::floatCode(*e, *m, convention, bias);
}

std::optional<Format> Format::parse(std::string_view name, std::string *error) {
  if (name == "e8m0" || name == "f8E8M0FNU")
    return e8m0();
  if (name == "nf4")
    return nf4();
  if (name == "ternary")
    return ternary();
  if (name == "fp4" || name == "f4E2M1FN")
    return floatCode(2, 1, FloatConvention::Finite);
  if (name == "f6E2M3FN")
    return floatCode(2, 3, FloatConvention::Finite);
  if (name == "f6E3M2FN")
    return floatCode(3, 2, FloatConvention::Finite);
  if (name == "f8E4M3FN")
    return floatCode(4, 3, FloatConvention::FiniteNaN);
  if (name == "f8E5M2")
    return floatCode(5, 2, FloatConvention::IEEE);
  if (name.substr(0, 3) == "int")
    return parseInteger(name, name.substr(3), /*isSigned=*/true, error);
  if (name.substr(0, 4) == "uint")
    return parseInteger(name, name.substr(4), /*isSigned=*/false, error);
  if (name.substr(0, 1) == "e") {
    std::string floatError;
    if (std::optional<Format> format = parseFloat(name, &floatError))
      return format;
    if (!floatError.empty())
      return fail(error, floatError);
  }
  return fail(error, "unknown element format '" + std::string(name) +
                         "'; expected int1..int8, uint1..uint8, eXmY with an "
                         "optional _ieee, _fn or _finite suffix, e8m0, nf4, "
                         "ternary or fp4");
}

std::string Format::name() const {
  switch (kind_) {
  case FormatKind::SignedInt:
    return "int" + std::to_string(bits_);
  case FormatKind::UnsignedInt:
    return "uint" + std::to_string(bits_);
  case FormatKind::Float: {
    std::string name = "e" + std::to_string(float_.exponentBits) + "m" +
                       std::to_string(float_.mantissaBits);
    if (float_.convention !=
        defaultConvention(float_.exponentBits, float_.mantissaBits))
      name += conventionSuffix(float_.convention);
    if (float_.bias != defaultBias(float_.exponentBits))
      name += "_b" + std::to_string(float_.bias);
    return name;
  }
  case FormatKind::ExponentOnly:
    return "e8m0";
  case FormatKind::Codebook:
    return name_.empty() ? "codebook" + std::to_string(bits_) : name_;
  case FormatKind::Ternary:
    return "ternary";
  }
  return "";
}

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

double Format::decode(uint32_t code) const {
  return code < numCodes() ? tables_->decoded[code] : kNaN;
}

uint32_t Format::encode(double x) const {
  const CodeTables &tables = *tables_;
  if (std::isnan(x))
    return tables.nanCode;
  double target = kind_ == FormatKind::Float ? std::fabs(x) : x;
  // The first midpoint at or above the target closes the target's interval.
  auto it = std::lower_bound(tables.midpoints.begin(), tables.midpoints.end(),
                             target);
  size_t index = it - tables.midpoints.begin();
  uint32_t code = it != tables.midpoints.end() && *it == target
                      ? tables.tieCodes[index]
                      : tables.gridCodes[index];
  if (kind_ == FormatKind::Float && std::signbit(x))
    code |= numCodes() / 2;
  return code;
}

double Format::maxValue() const { return tables_->finiteValues.back(); }

double Format::minValue() const { return tables_->finiteValues.front(); }

double Format::maxAbs() const {
  return std::max(std::fabs(minValue()), maxValue());
}

bool Format::isFiniteCode(uint32_t code) const {
  return std::isfinite(decode(code));
}

std::vector<double> Format::representableValues() const {
  return tables_->finiteValues;
}

bool Format::isSigned() const { return minValue() < 0; }

bool Format::operator==(const Format &o) const {
  if (kind_ != o.kind_ || bits_ != o.bits_)
    return false;
  if (kind_ == FormatKind::Float)
    return float_ == o.float_;
  if (kind_ == FormatKind::Codebook) {
    auto sameValue = [](double a, double b) {
      return a == b || (std::isnan(a) && std::isnan(b));
    };
    return name_ == o.name_ && std::equal(table_.begin(), table_.end(),
                                          o.table_.begin(), sameValue);
  }
  return true;
}

//===----------------------------------------------------------------------===//
// f16 and bf16
//===----------------------------------------------------------------------===//

static uint32_t bitsOf(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof(bits));
  return bits;
}

static float floatOf(uint32_t bits) {
  float x;
  std::memcpy(&x, &bits, sizeof(x));
  return x;
}

/// value >> shift, rounded to nearest with ties to an even result.
static uint32_t shiftRightRoundEven(uint32_t value, unsigned shift) {
  if (shift >= 32)
    return 0;
  uint32_t quotient = value >> shift;
  uint32_t remainder = value & ((1u << shift) - 1);
  uint32_t half = 1u << (shift - 1);
  if (remainder > half || (remainder == half && (quotient & 1)))
    ++quotient;
  return quotient;
}

uint16_t lowbit::numerics::toF16Bits(float x) {
  uint32_t bits = bitsOf(x);
  uint16_t sign = (bits >> 16) & 0x8000;
  uint32_t magnitude = bits & 0x7fffffff;
  if (magnitude > 0x7f800000) // NaN: stay quiet, keep the top payload bits.
    return sign | 0x7e00 | ((magnitude >> 13) & 0x3ff);
  // 65520 is halfway between 65504 (odd mantissa) and 2^16: it and
  // everything above round to inf.
  if (magnitude >= 0x477ff000)
    return sign | 0x7c00;
  if (magnitude < 0x38800000) {
    // Below 2^-14 the result is subnormal: count units of 2^-24. A float
    // mantissa m * 2^(E-150) is m * 2^(E-126) such units.
    uint32_t exponent = magnitude >> 23;
    if (exponent == 0) // Float subnormals are far below 2^-25.
      return sign;
    return sign | shiftRightRoundEven((magnitude & 0x7fffff) | 0x800000,
                                      126 - exponent);
  }
  // Rebias the exponent from 127 to 15 and drop 13 mantissa bits; a carry
  // out of the mantissa correctly bumps the exponent.
  return sign | shiftRightRoundEven(magnitude - ((127u - 15u) << 23), 13);
}

float lowbit::numerics::fromF16Bits(uint16_t bits) {
  uint32_t exponent = (bits >> 10) & 0x1f;
  uint32_t mantissa = bits & 0x3ff;
  float magnitude;
  if (exponent == 0x1f)
    magnitude = mantissa == 0 ? std::numeric_limits<float>::infinity()
                              : std::numeric_limits<float>::quiet_NaN();
  else if (exponent == 0)
    magnitude = std::ldexp(float(mantissa), -24);
  else
    magnitude = std::ldexp(float(mantissa | 0x400), int(exponent) - 25);
  return (bits & 0x8000) ? -magnitude : magnitude;
}

uint16_t lowbit::numerics::toBF16Bits(float x) {
  uint32_t bits = bitsOf(x);
  if ((bits & 0x7fffffff) > 0x7f800000) // NaN: truncate, keep it quiet.
    return (bits >> 16) | 0x40;
  // bf16 is the top half of an f32: rounding the low half away is RNE, and
  // a carry reaches the exponent (up to inf) but never the sign.
  return shiftRightRoundEven(bits, 16);
}

float lowbit::numerics::fromBF16Bits(uint16_t bits) {
  return floatOf(uint32_t(bits) << 16);
}
