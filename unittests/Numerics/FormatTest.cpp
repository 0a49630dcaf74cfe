//===- FormatTest.cpp - Tests of element formats, encode and decode -------===//
//
// Decode tables are checked exhaustively against reference formulas written
// independently of the library; encode is checked on fresh random inputs
// against a brute-force search over all codes.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/Format.h"

#include "TestRandom.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

using namespace lowbit::numerics;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const FloatConvention kConventions[] = {
    FloatConvention::IEEE, FloatConvention::FiniteNaN, FloatConvention::Finite};

/// Value of a sign/exponent/mantissa code of any width, from the fields:
/// the reference for float codes and, with 5/10 and 8/7 splits, f16/bf16.
double referenceFloat(int exponentBits, int mantissaBits, int bias,
                      FloatConvention convention, uint32_t code) {
  int signField = (code >> (exponentBits + mantissaBits)) & 1;
  int exponentField = (code >> mantissaBits) % (1 << exponentBits);
  int mantissaField = code % (1 << mantissaBits);
  bool topBinade = exponentField == (1 << exponentBits) - 1;
  bool mantissaAllOnes = mantissaField == (1 << mantissaBits) - 1;
  double sign = signField ? -1.0 : 1.0;
  if (topBinade && convention == FloatConvention::IEEE)
    return mantissaField == 0 ? sign * kInf : kNaN;
  if (topBinade && mantissaAllOnes && convention == FloatConvention::FiniteNaN)
    return kNaN;
  double fraction = mantissaField / std::ldexp(1.0, mantissaBits);
  if (exponentField == 0)
    return sign * std::ldexp(fraction, 1 - bias);
  return sign * std::ldexp(1.0 + fraction, exponentField - bias);
}

/// Reference value of a code of any non-codebook format.
double referenceDecode(const Format &format, uint32_t code) {
  switch (format.kind()) {
  case FormatKind::SignedInt: {
    // Sign extension by an arithmetic shift of the code placed at the top
    // of an int32_t.
    int shift = 32 - int(format.bits());
    return double(int32_t(code << shift) >> shift);
  }
  case FormatKind::UnsignedInt:
    return double(code);
  case FormatKind::Float: {
    const FloatSpec &spec = format.floatSpec();
    return referenceFloat(spec.exponentBits, spec.mantissaBits, spec.bias,
                          spec.convention, code);
  }
  case FormatKind::ExponentOnly:
    return code == 255 ? kNaN : std::pow(2.0, double(code) - 127.0);
  case FormatKind::Codebook:
    return format.table()[code]; // Checked against the inputs separately.
  case FormatKind::Ternary: {
    const double values[] = {-1.0, 0.0, 1.0, kNaN};
    return values[code];
  }
  }
  return kNaN;
}

/// A user codebook of 2^bits dyadic values (so that midpoints are exact);
/// 8-bit tables draw from fewer values than codes and so share values.
std::vector<double> randomCodebookValues(unsigned bits, std::mt19937_64 &rng) {
  std::uniform_int_distribution<int> numerator(-200, 200);
  std::vector<double> values;
  for (uint32_t code = 0; code < (1u << bits); ++code)
    values.push_back(numerator(rng) / 16.0);
  return values;
}

/// Every format the library defines: integers, unsigned integers, every
/// float split under every convention (and a few non-default biases),
/// e8m0, nf4, ternary and random codebooks.
std::vector<Format> allFormats(std::mt19937_64 &rng) {
  std::vector<Format> formats;
  for (unsigned bits = 1; bits <= 8; ++bits) {
    formats.push_back(Format::signedInt(bits));
    formats.push_back(Format::unsignedInt(bits));
  }
  for (unsigned e = 1; e <= 7; ++e)
    for (unsigned m = 0; 1 + e + m <= 8; ++m)
      for (FloatConvention convention : kConventions)
        formats.push_back(Format::floatCode(e, m, convention));
  formats.push_back(Format::floatCode(2, 1, FloatConvention::Finite, 0));
  formats.push_back(Format::floatCode(3, 2, FloatConvention::Finite, 5));
  formats.push_back(Format::floatCode(4, 3, FloatConvention::FiniteNaN, -2));
  formats.push_back(Format::e8m0());
  formats.push_back(Format::nf4());
  formats.push_back(Format::ternary());
  for (unsigned bits : {1u, 3u, 4u, 8u})
    formats.push_back(
        Format::codebook(bits, randomCodebookValues(bits, rng), "user"));
  return formats;
}

bool sameValue(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::isnan(a) && std::isnan(b);
  return a == b && std::signbit(a) == std::signbit(b);
}

//===----------------------------------------------------------------------===//
// Decode
//===----------------------------------------------------------------------===//

TEST(FormatTest, DecodeMatchesReferenceForEveryCodeOfEveryFormat) {
  LOWBIT_SEEDED_RNG(rng);
  std::vector<Format> formats = allFormats(rng);
  ASSERT_GT(formats.size(), 100u);
  for (const Format &format : formats) {
    SCOPED_TRACE(format.name());
    for (uint32_t code = 0; code < format.numCodes(); ++code)
      EXPECT_PRED2(sameValue, format.decode(code),
                   referenceDecode(format, code))
          << "code " << code;
    EXPECT_TRUE(std::isnan(format.decode(format.numCodes())));
    EXPECT_TRUE(std::isnan(format.decode(0xffffffffu)));
  }
}

TEST(FormatTest, CodebooksDecodeToTheirTables) {
  const double nf4[] = {-1.0,
                        -0.6961928009986877,
                        -0.5250730514526367,
                        -0.39491748809814453,
                        -0.28444138169288635,
                        -0.18477343022823334,
                        -0.09105003625154495,
                        0.0,
                        0.07958029955625534,
                        0.16093020141124725,
                        0.24611230194568634,
                        0.33791524171829224,
                        0.44070982933044434,
                        0.5626170039176941,
                        0.7229568362236023,
                        1.0};
  Format format = Format::nf4();
  ASSERT_EQ(format.numCodes(), 16u);
  for (uint32_t code = 0; code < 16; ++code)
    EXPECT_EQ(format.decode(code), nf4[code]) << "code " << code;

  LOWBIT_SEEDED_RNG(rng);
  for (unsigned bits = 1; bits <= 8; ++bits) {
    std::vector<double> values = randomCodebookValues(bits, rng);
    Format user = Format::codebook(bits, values);
    for (uint32_t code = 0; code < user.numCodes(); ++code)
      EXPECT_EQ(user.decode(code), values[code]) << "code " << code;
  }
}

TEST(FormatTest, KnownValues) {
  Format e2m1 = Format::floatCode(2, 1, FloatConvention::Finite);
  const double e2m1Values[] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
  for (uint32_t code = 0; code < 8; ++code) {
    EXPECT_EQ(e2m1.decode(code), e2m1Values[code]);
    EXPECT_EQ(e2m1.decode(code | 8), -e2m1Values[code]);
  }
  EXPECT_TRUE(std::signbit(e2m1.decode(8)));

  Format e4m3 = Format::floatCode(4, 3, FloatConvention::FiniteNaN);
  EXPECT_EQ(e4m3.decode(0x7e), 448.0);
  EXPECT_EQ(e4m3.maxValue(), 448.0);
  EXPECT_TRUE(std::isnan(e4m3.decode(0x7f)));
  EXPECT_TRUE(std::isnan(e4m3.decode(0xff)));
  EXPECT_EQ(e4m3.decode(0x78), 256.0); // The all-ones binade is finite.
  EXPECT_EQ(e4m3.decode(0x01), std::ldexp(1.0, -9));
  EXPECT_EQ(e4m3.decode(0x38), 1.0);
  EXPECT_EQ(Format::floatCode(4, 3, FloatConvention::IEEE).maxValue(), 240.0);
  EXPECT_EQ(Format::floatCode(4, 3, FloatConvention::Finite).maxValue(), 480.0);

  Format e5m2 = Format::floatCode(5, 2, FloatConvention::IEEE);
  EXPECT_EQ(e5m2.decode(0x7c), kInf);
  EXPECT_EQ(e5m2.decode(0xfc), -kInf);
  EXPECT_TRUE(std::isnan(e5m2.decode(0x7d)));
  EXPECT_EQ(e5m2.decode(0x7b), 57344.0);
  EXPECT_EQ(e5m2.decode(0x3c), 1.0);
  EXPECT_EQ(e5m2.decode(0x01), std::ldexp(1.0, -16));

  EXPECT_EQ(Format::floatCode(3, 2, FloatConvention::Finite).maxValue(), 28.0);
  EXPECT_EQ(Format::floatCode(2, 3, FloatConvention::Finite).maxValue(), 7.5);
  EXPECT_EQ(Format::floatCode(2, 2, FloatConvention::Finite).maxValue(), 7.0);
  EXPECT_EQ(Format::floatCode(3, 0, FloatConvention::Finite).maxValue(), 16.0);
  // e1m2 has bias 0: subnormals 0, 0.5, 1, 1.5 then normals 2 .. 3.5.
  Format e1m2 = Format::floatCode(1, 2, FloatConvention::Finite);
  EXPECT_EQ(e1m2.decode(3), 1.5);
  EXPECT_EQ(e1m2.decode(4), 2.0);
  EXPECT_EQ(e1m2.maxValue(), 3.5);
  // FiniteNaN without mantissa bits: the whole top binade is NaN.
  Format e3m0fn = Format::floatCode(3, 0, FloatConvention::FiniteNaN);
  EXPECT_TRUE(std::isnan(e3m0fn.decode(7)));
  EXPECT_EQ(e3m0fn.maxValue(), 8.0);

  Format e8m0 = Format::e8m0();
  EXPECT_EQ(e8m0.decode(127), 1.0);
  EXPECT_EQ(e8m0.decode(0), std::ldexp(1.0, -127));
  EXPECT_EQ(e8m0.decode(254), std::ldexp(1.0, 127));
  EXPECT_TRUE(std::isnan(e8m0.decode(255)));

  Format int4 = Format::signedInt(4);
  EXPECT_EQ(int4.decode(7), 7.0);
  EXPECT_EQ(int4.decode(8), -8.0);
  EXPECT_EQ(int4.decode(15), -1.0);
  EXPECT_EQ(Format::signedInt(1).decode(1), -1.0);
  EXPECT_EQ(Format::unsignedInt(3).decode(7), 7.0);

  Format ternary = Format::ternary();
  EXPECT_EQ(ternary.decode(0), -1.0);
  EXPECT_EQ(ternary.decode(1), 0.0);
  EXPECT_EQ(ternary.decode(2), 1.0);
  EXPECT_TRUE(std::isnan(ternary.decode(3)));
}

TEST(FormatTest, RangesAndRepresentableValues) {
  Format int4 = Format::signedInt(4);
  EXPECT_EQ(int4.minValue(), -8.0);
  EXPECT_EQ(int4.maxValue(), 7.0);
  EXPECT_EQ(int4.maxAbs(), 8.0);
  EXPECT_TRUE(int4.isSigned());
  EXPECT_FALSE(Format::unsignedInt(4).isSigned());
  EXPECT_EQ(Format::unsignedInt(4).maxValue(), 15.0);
  EXPECT_FALSE(Format::e8m0().isSigned());
  EXPECT_EQ(Format::e8m0().minValue(), std::ldexp(1.0, -127));
  EXPECT_EQ(Format::nf4().maxAbs(), 1.0);
  EXPECT_TRUE(Format::ternary().isSigned());
  EXPECT_FALSE(Format::ternary().isFiniteCode(3));
  EXPECT_FALSE(
      Format::floatCode(5, 2, FloatConvention::IEEE).isFiniteCode(0x7c));
  EXPECT_TRUE(
      Format::floatCode(5, 2, FloatConvention::IEEE).isFiniteCode(0x7b));
  EXPECT_EQ(Format::floatCode(2, 1, FloatConvention::Finite)
                .representableValues()
                .size(),
            15u); // +0 and -0 merge.
  EXPECT_EQ(Format::floatCode(4, 3, FloatConvention::FiniteNaN)
                .representableValues()
                .size(),
            253u);

  // For every format: exactly the distinct finite reference values.
  LOWBIT_SEEDED_RNG(rng);
  for (const Format &format : allFormats(rng)) {
    SCOPED_TRACE(format.name());
    std::vector<double> expected;
    for (uint32_t code = 0; code < format.numCodes(); ++code) {
      double value = referenceDecode(format, code);
      if (std::isfinite(value) &&
          std::find(expected.begin(), expected.end(), value) == expected.end())
        expected.push_back(value == 0 ? 0.0 : value);
      EXPECT_EQ(format.isFiniteCode(code), std::isfinite(value));
    }
    std::sort(expected.begin(), expected.end());
    std::vector<double> values = format.representableValues();
    EXPECT_EQ(values, expected);
    for (double value : values)
      EXPECT_FALSE(value == 0 && std::signbit(value)) << "-0 listed";
    EXPECT_EQ(format.minValue(), expected.front());
    EXPECT_EQ(format.maxValue(), expected.back());
    EXPECT_EQ(format.maxAbs(), std::max(-expected.front(), expected.back()));
  }
}

//===----------------------------------------------------------------------===//
// Encode
//===----------------------------------------------------------------------===//

/// |x - v| exactly, as an unevaluated sum hi + lo (Knuth's TwoSum). Such
/// pairs order like the exact distances when compared lexicographically:
/// hi is the correctly rounded distance, and equal distances round alike.
/// Plain double distances would call x = nextafter(midpoint) a tie.
std::pair<double, double> exactDistance(double x, double v) {
  double hi = x - v;
  double vPart = hi - x;
  double lo = (x - (hi - vPart)) + (-v - vPart);
  if (hi < 0 || (hi == 0 && lo < 0))
    return {-hi, -lo};
  return {hi, lo};
}

/// Checks that encode(x) has a value nearest to x among all finite codes,
/// that real ties follow the format's rule (even code for integers and
/// floats, smallest code for codebooks and ternary) and that floats keep
/// the sign of x.
void expectNearestCode(const Format &format, double x) {
  uint32_t code = format.encode(x);
  ASSERT_TRUE(format.isFiniteCode(code)) << "x = " << x << ", code " << code;
  std::pair<double, double> best = {kInf, 0};
  for (uint32_t c = 0; c < format.numCodes(); ++c)
    if (format.isFiniteCode(c))
      best = std::min(best, exactDistance(x, format.decode(c)));
  double chosen = format.decode(code);
  ASSERT_EQ(exactDistance(x, chosen), best)
      << "x = " << x << " encodes to " << chosen << " (code " << code << ")";

  std::vector<uint32_t> nearest; // Ascending codes at the best distance.
  bool realTie = false;
  for (uint32_t c = 0; c < format.numCodes(); ++c) {
    if (!format.isFiniteCode(c) || exactDistance(x, format.decode(c)) != best)
      continue;
    nearest.push_back(c);
    realTie |= format.decode(c) != chosen;
  }
  switch (format.kind()) {
  case FormatKind::SignedInt:
  case FormatKind::UnsignedInt:
  case FormatKind::Float:
    if (realTie)
      EXPECT_EQ(code % 2, 0u) << "tie at x = " << x << " went to odd code";
    break;
  case FormatKind::Codebook:
  case FormatKind::Ternary:
    EXPECT_EQ(code, nearest.front()) << "x = " << x << " should take the "
                                     << "smallest of the nearest codes";
    break;
  case FormatKind::ExponentOnly:
    ADD_FAILURE() << "e8m0 rounds in log domain; tested separately";
    break;
  }
  if (format.kind() == FormatKind::Float)
    EXPECT_EQ(std::signbit(chosen), std::signbit(x)) << "x = " << x;
}

/// Inputs that exercise a format: uniform over and beyond its range,
/// log-uniform magnitudes, its own values, and exact midpoints between
/// neighbouring values (ties) with their neighbouring doubles.
std::vector<double> encodeInputs(const Format &format, std::mt19937_64 &rng) {
  std::vector<double> values = format.representableValues();
  double low = values.front(), high = values.back();
  double margin = std::max(0.25 * (high - low), 1.0);
  std::uniform_real_distribution<double> uniform(low - margin, high + margin);
  std::uniform_real_distribution<double> logMagnitude(-24, 20);
  std::uniform_int_distribution<size_t> pick(0, values.size() - 1);
  std::bernoulli_distribution negative(0.5);
  std::vector<double> inputs;
  for (int i = 0; i < 300; ++i) {
    inputs.push_back(uniform(rng));
    double magnitude = std::exp2(logMagnitude(rng));
    inputs.push_back(negative(rng) ? -magnitude : magnitude);
    inputs.push_back(values[pick(rng)]);
    if (values.size() < 2)
      continue;
    size_t i0 = std::min(pick(rng), values.size() - 2);
    double midpoint = values[i0] / 2 + values[i0 + 1] / 2;
    inputs.push_back(midpoint);
    inputs.push_back(std::nextafter(midpoint, kInf));
    inputs.push_back(std::nextafter(midpoint, -kInf));
  }
  return inputs;
}

TEST(FormatTest, EncodeIsNearestOnRandomInputs) {
  LOWBIT_SEEDED_RNG(rng);
  for (const Format &format : allFormats(rng)) {
    if (format.kind() == FormatKind::ExponentOnly)
      continue;
    SCOPED_TRACE(format.name());
    for (double x : encodeInputs(format, rng)) {
      expectNearestCode(format, x);
      if (::testing::Test::HasFatalFailure())
        return;
    }
  }
}

TEST(FormatTest, EncodeSaturatesAndHandlesSpecialValues) {
  LOWBIT_SEEDED_RNG(rng);
  for (const Format &format : allFormats(rng)) {
    SCOPED_TRACE(format.name());
    double low = format.minValue(), high = format.maxValue();
    for (double big : {1e300, kInf, 2 * format.maxAbs() + 1}) {
      EXPECT_EQ(format.decode(format.encode(big)), high) << big;
      if (format.kind() != FormatKind::ExponentOnly)
        EXPECT_EQ(format.decode(format.encode(-big)), low) << -big;
    }
    uint32_t nanCode = format.encode(kNaN);
    bool hasNaN = false;
    for (uint32_t code = 0; code < format.numCodes(); ++code)
      hasNaN |= std::isnan(format.decode(code));
    if (hasNaN)
      EXPECT_TRUE(std::isnan(format.decode(nanCode)));
    else
      EXPECT_EQ(nanCode, 0u);
    if (format.kind() == FormatKind::Float) {
      uint32_t signBit = format.numCodes() / 2;
      EXPECT_EQ(format.encode(-0.0), signBit);
      EXPECT_EQ(format.encode(-1e-300), signBit);
      EXPECT_EQ(format.encode(0.0), 0u);
    }
  }
  EXPECT_EQ(Format::floatCode(4, 3, FloatConvention::FiniteNaN).encode(464),
            0x7eu);
  EXPECT_EQ(Format::floatCode(5, 2, FloatConvention::IEEE).encode(1e9), 0x7bu);
  EXPECT_EQ(Format::floatCode(5, 2, FloatConvention::IEEE).encode(kNaN), 0x7fu);
  EXPECT_EQ(Format::floatCode(4, 3, FloatConvention::FiniteNaN).encode(kNaN),
            0x7fu);
  EXPECT_EQ(Format::signedInt(4).encode(-0.0), 0u);
  EXPECT_EQ(Format::ternary().encode(kNaN), 3u);
}

TEST(FormatTest, TiesRoundToEven) {
  Format int4 = Format::signedInt(4);
  EXPECT_EQ(int4.decode(int4.encode(2.5)), 2.0);
  EXPECT_EQ(int4.decode(int4.encode(3.5)), 4.0);
  EXPECT_EQ(int4.decode(int4.encode(-2.5)), -2.0);
  EXPECT_EQ(int4.decode(int4.encode(-3.5)), -4.0);
  EXPECT_EQ(int4.decode(int4.encode(0.5)), 0.0);
  EXPECT_EQ(int4.decode(int4.encode(-0.5)), 0.0);
  EXPECT_EQ(int4.decode(int4.encode(6.5)), 6.0);
  EXPECT_EQ(int4.decode(int4.encode(-7.5)), -8.0);
  Format uint2 = Format::unsignedInt(2);
  EXPECT_EQ(uint2.encode(1.5), 2u);
  EXPECT_EQ(uint2.encode(2.5), 2u);

  // e2m1: 0 0.5 1 1.5 2 3 4 6 are codes 0..7.
  Format e2m1 = Format::floatCode(2, 1, FloatConvention::Finite);
  EXPECT_EQ(e2m1.encode(0.25), 0u);
  EXPECT_EQ(e2m1.encode(0.75), 2u);
  EXPECT_EQ(e2m1.encode(1.25), 2u);
  EXPECT_EQ(e2m1.encode(1.75), 4u);
  EXPECT_EQ(e2m1.encode(2.5), 4u);
  EXPECT_EQ(e2m1.encode(3.5), 6u);
  EXPECT_EQ(e2m1.encode(5.0), 6u);
  EXPECT_EQ(e2m1.encode(-5.0), 14u);
  EXPECT_EQ(e2m1.encode(-0.25), 8u);
  EXPECT_EQ(e2m1.encode(7.0), 7u);
  // No mantissa: a tie goes to the even exponent field.
  Format e3m0 = Format::floatCode(3, 0, FloatConvention::Finite);
  EXPECT_EQ(e3m0.decode(e3m0.encode(0.125)), 0.0);
  EXPECT_EQ(e3m0.decode(e3m0.encode(0.375)), 0.5);
  EXPECT_EQ(e3m0.decode(e3m0.encode(0.75)), 0.5);
  EXPECT_EQ(e3m0.decode(e3m0.encode(1.5)), 2.0);
  // e4m3 between 1 (0x38) and 1.125 (0x39), and between 1.125 and 1.25.
  Format e4m3 = Format::floatCode(4, 3, FloatConvention::FiniteNaN);
  EXPECT_EQ(e4m3.encode(1.0625), 0x38u);
  EXPECT_EQ(e4m3.encode(1.1875), 0x3au);
  EXPECT_EQ(e4m3.encode(std::nextafter(1.0625, 2.0)), 0x39u);

  // Codebooks and ternary take the smaller code.
  Format ternary = Format::ternary();
  EXPECT_EQ(ternary.encode(0.5), 1u);
  EXPECT_EQ(ternary.encode(-0.5), 0u);
  EXPECT_EQ(ternary.encode(0.51), 2u);
  Format shared = Format::codebook(2, {1.0, -1.0, 1.0, 3.0});
  EXPECT_EQ(shared.encode(1.2), 0u); // Codes 0 and 2 share the value 1.
  EXPECT_EQ(shared.encode(0.0), 0u); // Tie between -1 (code 1) and 1.
  EXPECT_EQ(shared.encode(-0.5), 1u);
  EXPECT_EQ(shared.encode(2.0), 0u); // Tie between 1 and 3 (code 3).
  Format nf4 = Format::nf4();
  EXPECT_EQ(nf4.encode(nf4.decode(8) / 2), 7u);
}

TEST(FormatTest, E8M0RoundsInLogDomain) {
  Format e8m0 = Format::e8m0();
  const double sqrt2Above = 1.4142135623730951; // Nearest double to sqrt 2.
  ASSERT_GT(sqrt2Above * sqrt2Above, 2.0);
  EXPECT_EQ(e8m0.encode(1.0), 127u);
  EXPECT_EQ(e8m0.encode(sqrt2Above), 128u);
  EXPECT_EQ(e8m0.encode(std::nextafter(sqrt2Above, 0.0)), 127u);
  EXPECT_EQ(e8m0.encode(3.0), 129u); // log2 3 = 1.58.
  EXPECT_EQ(e8m0.encode(2.8), 128u); // log2 2.8 = 1.49.
  EXPECT_EQ(e8m0.encode(0.0), 0u);
  EXPECT_EQ(e8m0.encode(-4.0), 0u);
  EXPECT_EQ(e8m0.encode(std::ldexp(1.0, -200)), 0u);
  EXPECT_EQ(e8m0.encode(1e300), 254u);
  EXPECT_EQ(e8m0.encode(kInf), 254u);
  EXPECT_EQ(e8m0.encode(kNaN), 255u);

  LOWBIT_SEEDED_RNG(rng);
  std::uniform_real_distribution<double> logValue(-135, 135);
  for (int i = 0; i < 20000; ++i) {
    double x = std::exp2(logValue(rng));
    uint32_t code = e8m0.encode(x);
    ASSERT_LT(code, 255u);
    double distance = std::fabs(std::log2(e8m0.decode(code)) - std::log2(x));
    for (uint32_t other = 0; other < 255; ++other)
      ASSERT_LE(distance,
                std::fabs(std::log2(e8m0.decode(other)) - std::log2(x)) + 1e-12)
          << "x = " << x << " encodes to code " << code << ", not " << other;
  }
}

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

TEST(FormatTest, NamesRoundTripThroughParse) {
  LOWBIT_SEEDED_RNG(rng);
  for (const Format &format : allFormats(rng)) {
    if (format.kind() == FormatKind::Codebook && format.name() != "nf4")
      continue; // A user table is not recoverable from its name.
    std::string error;
    std::optional<Format> parsed = Format::parse(format.name(), &error);
    ASSERT_TRUE(parsed.has_value()) << format.name() << ": " << error;
    EXPECT_TRUE(*parsed == format) << format.name();
    EXPECT_EQ(error, "");
  }
  EXPECT_EQ(Format::floatCode(2, 1, FloatConvention::Finite).name(), "e2m1");
  EXPECT_EQ(Format::floatCode(4, 3, FloatConvention::FiniteNaN).name(), "e4m3");
  EXPECT_EQ(Format::floatCode(4, 3, FloatConvention::IEEE).name(), "e4m3_ieee");
  EXPECT_EQ(Format::floatCode(5, 2, FloatConvention::IEEE).name(), "e5m2");
  EXPECT_EQ(Format::floatCode(3, 2, FloatConvention::FiniteNaN).name(),
            "e3m2_fn");
  EXPECT_EQ(Format::floatCode(3, 4, FloatConvention::Finite).name(),
            "e3m4_finite");
  EXPECT_EQ(Format::floatCode(2, 1, FloatConvention::Finite, 3).name(),
            "e2m1_b3");
  EXPECT_EQ(Format::floatCode(2, 1, FloatConvention::IEEE, -1).name(),
            "e2m1_ieee_b-1");
  EXPECT_EQ(Format::signedInt(3).name(), "int3");
  EXPECT_EQ(Format::unsignedInt(8).name(), "uint8");
  EXPECT_EQ(Format::codebook(2, {0, 1, 2, 3}).name(), "codebook2");
  EXPECT_EQ(Format::codebook(2, {0, 1, 2, 3}, "mine").name(), "mine");
  EXPECT_EQ(Format::e8m0().name(), "e8m0");
  EXPECT_EQ(Format::ternary().name(), "ternary");
}

TEST(FormatTest, ParseAliasesAndEquality) {
  Format e2m1 = Format::floatCode(2, 1, FloatConvention::Finite);
  EXPECT_TRUE(Format::parse("fp4") == e2m1);
  EXPECT_TRUE(Format::parse("f4E2M1FN") == e2m1);
  EXPECT_TRUE(Format::parse("e2m1_finite") == e2m1);
  EXPECT_TRUE(Format::parse("f8E4M3FN") ==
              Format::floatCode(4, 3, FloatConvention::FiniteNaN));
  EXPECT_TRUE(Format::parse("e4m3_fn") ==
              Format::floatCode(4, 3, FloatConvention::FiniteNaN));
  EXPECT_TRUE(Format::parse("f8E5M2") ==
              Format::floatCode(5, 2, FloatConvention::IEEE));
  EXPECT_TRUE(Format::parse("f6E3M2FN") ==
              Format::floatCode(3, 2, FloatConvention::Finite));
  EXPECT_TRUE(Format::parse("f6E2M3FN") ==
              Format::floatCode(2, 3, FloatConvention::Finite));
  EXPECT_TRUE(Format::parse("f8E8M0FNU") == Format::e8m0());
  EXPECT_TRUE(Format::parse("e3m4") ==
              Format::floatCode(3, 4, FloatConvention::IEEE));

  EXPECT_TRUE(e2m1 != Format::floatCode(2, 1, FloatConvention::IEEE));
  EXPECT_TRUE(e2m1 != Format::floatCode(2, 1, FloatConvention::Finite, 0));
  EXPECT_TRUE(Format::signedInt(4) != Format::unsignedInt(4));
  EXPECT_TRUE(Format::signedInt(4) != Format::signedInt(5));
  EXPECT_TRUE(Format::codebook(1, {0, 1}) != Format::codebook(1, {0, 2}));
  EXPECT_TRUE(Format::codebook(1, {0, 1}) == Format::codebook(1, {0, 1}));
}

TEST(FormatTest, ParseErrorsNameTheBadValue) {
  struct Case {
    const char *name;
    const char *expected;
  };
  const Case cases[] = {
      {"int9", "integer format 'int9' has an invalid width '9'; expected 1 "
               "to 8 bits"},
      {"uint0", "integer format 'uint0' has an invalid width '0'; expected 1 "
                "to 8 bits"},
      {"int", "integer format 'int' has an invalid width ''; expected 1 to 8 "
              "bits"},
      {"e5m3", "float format 'e5m3' needs 9 bits (sign, exponent and "
               "mantissa); expected at most 8"},
      {"e0m3", "float format 'e0m3' has no exponent bits; expected at least "
               "1"},
      {"e4m3_xyz", "float format 'e4m3_xyz' has an unknown or misplaced "
                   "suffix '_xyz'; expected _ieee, _fn or _finite, then "
                   "optionally _b<bias>"},
      {"e4m3_b2_fn", "float format 'e4m3_b2_fn' has an unknown or misplaced "
                     "suffix '_fn'; expected _ieee, _fn or _finite, then "
                     "optionally _b<bias>"},
      {"e4m3_bx", "float format 'e4m3_bx' has an invalid bias 'bx'; expected "
                  "_b followed by an integer"},
      {"bogus", "unknown element format 'bogus'; expected int1..int8, "
                "uint1..uint8, eXmY with an optional _ieee, _fn or _finite "
                "suffix, e8m0, nf4, ternary or fp4"},
      {"e4", "unknown element format 'e4'; expected int1..int8, "
             "uint1..uint8, eXmY with an optional _ieee, _fn or _finite "
             "suffix, e8m0, nf4, ternary or fp4"},
  };
  for (const Case &c : cases) {
    std::string error;
    EXPECT_FALSE(Format::parse(c.name, &error).has_value()) << c.name;
    EXPECT_EQ(error, c.expected);
    EXPECT_FALSE(Format::parse(c.name).has_value()) << c.name;
  }
}

//===----------------------------------------------------------------------===//
// f16 and bf16
//===----------------------------------------------------------------------===//

float floatFromBits(uint32_t bits) {
  float x;
  std::memcpy(&x, &bits, sizeof(x));
  return x;
}

/// The reference nearest-even conversion of a float to a 16-bit IEEE code
/// with the given exponent/mantissa split: a search over all finite
/// magnitudes plus the first value past the largest one, which stands for
/// inf (IEEE rounds as if the exponent were unbounded, then overflows).
uint16_t referenceToBits(float x, int exponentBits, int mantissaBits) {
  static std::vector<double> magnitudes[2];
  std::vector<double> &grid = magnitudes[exponentBits == 8];
  int bias = (1 << (exponentBits - 1)) - 1;
  uint32_t infCode = ((1u << exponentBits) - 1) << mantissaBits;
  if (grid.empty()) {
    for (uint32_t code = 0; code < infCode; ++code)
      grid.push_back(referenceFloat(exponentBits, mantissaBits, bias,
                                    FloatConvention::IEEE, code));
    grid.push_back(std::ldexp(1.0, (1 << exponentBits) - 1 - bias));
  }
  uint16_t sign = std::signbit(x) ? 0x8000 : 0;
  double magnitude = std::fabs(double(x));
  auto upper = std::lower_bound(grid.begin(), grid.end(), magnitude);
  if (upper == grid.end())
    return sign | infCode;
  uint32_t code = upper - grid.begin();
  if (code > 0) {
    double below = magnitude - grid[code - 1], above = *upper - magnitude;
    if (below < above || (below == above && (code - 1) % 2 == 0))
      --code;
  }
  return sign | code;
}

/// Random floats over all exponents, around the 16-bit formats' ranges, and
/// exact midpoints between neighbouring 16-bit values.
std::vector<float> conversionInputs(std::mt19937_64 &rng,
                                    float (*fromBits)(uint16_t)) {
  std::uniform_int_distribution<uint32_t> anyBits;
  std::uniform_int_distribution<uint32_t> anyCode(0, 0xfffe);
  std::uniform_real_distribution<float> nearF16Range(-70000.0f, 70000.0f);
  std::uniform_real_distribution<float> tiny(-1e-4f, 1e-4f);
  std::vector<float> inputs;
  for (int i = 0; i < 20000; ++i) {
    inputs.push_back(floatFromBits(anyBits(rng)));
    inputs.push_back(nearF16Range(rng));
    inputs.push_back(tiny(rng));
    uint16_t code = anyCode(rng);
    float low = fromBits(code), high = fromBits(code + 1);
    if (std::isfinite(low) && std::isfinite(high))
      inputs.push_back(low / 2 + high / 2);
  }
  return inputs;
}

/// NaN must stay NaN (any payload); everything else must match the
/// reference bit for bit.
void expectConversion(uint16_t actual, uint16_t expected, float x,
                      float (*fromBits)(uint16_t)) {
  if (std::isnan(x))
    EXPECT_TRUE(std::isnan(fromBits(actual))) << "NaN became " << actual;
  else
    EXPECT_EQ(actual, expected) << "x = " << x;
}

TEST(FormatTest, F16ConversionIsRoundToNearestEven) {
  for (uint32_t bits = 0; bits <= 0xffff; ++bits) {
    float x = fromF16Bits(uint16_t(bits));
    double reference = referenceFloat(5, 10, 15, FloatConvention::IEEE, bits);
    ASSERT_PRED2(sameValue, double(x), reference) << "bits " << bits;
    uint16_t back = toF16Bits(x);
    if (std::isnan(x))
      EXPECT_TRUE((back & 0x7c00) == 0x7c00 && (back & 0x3ff) != 0 &&
                  (back & 0x8000) == (bits & 0x8000))
          << bits;
    else
      EXPECT_EQ(back, bits);
  }
  EXPECT_EQ(fromF16Bits(0x3c00), 1.0f);
  EXPECT_EQ(fromF16Bits(0x7bff), 65504.0f);
  EXPECT_EQ(fromF16Bits(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(fromF16Bits(0xfc00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(fromF16Bits(0x7e00)));
  EXPECT_EQ(toF16Bits(1.0f), 0x3c00);
  EXPECT_EQ(toF16Bits(65504.0f), 0x7bff);
  EXPECT_EQ(toF16Bits(65519.0f), 0x7bff);
  EXPECT_EQ(toF16Bits(65520.0f), 0x7c00);
  EXPECT_EQ(toF16Bits(-1e10f), 0xfc00);
  EXPECT_EQ(toF16Bits(std::ldexp(1.0f, -25)), 0x0000); // Tie to even zero.
  EXPECT_EQ(toF16Bits(std::ldexp(3.0f, -26)), 0x0001);
  EXPECT_EQ(toF16Bits(std::ldexp(3.0f, -25)), 0x0002); // Tie 1.5 -> 2.
  EXPECT_EQ(toF16Bits(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  EXPECT_EQ(toF16Bits(1.0f + std::ldexp(3.0f, -11)), 0x3c02);
  EXPECT_TRUE(std::isnan(fromF16Bits(toF16Bits(floatFromBits(0x7f800001)))));
  EXPECT_EQ(toF16Bits(floatFromBits(0xffc00000)) & 0x8000, 0x8000);

  LOWBIT_SEEDED_RNG(rng);
  for (float x : conversionInputs(rng, fromF16Bits))
    expectConversion(toF16Bits(x), referenceToBits(x, 5, 10), x, fromF16Bits);
}

TEST(FormatTest, BF16ConversionIsRoundToNearestEven) {
  for (uint32_t bits = 0; bits <= 0xffff; ++bits) {
    float x = fromBF16Bits(uint16_t(bits));
    double reference = referenceFloat(8, 7, 127, FloatConvention::IEEE, bits);
    ASSERT_PRED2(sameValue, double(x), reference) << "bits " << bits;
    if (!std::isnan(x))
      EXPECT_EQ(toBF16Bits(x), bits);
  }
  EXPECT_EQ(fromBF16Bits(0x3f80), 1.0f);
  EXPECT_EQ(fromBF16Bits(0x4049), 3.140625f);
  EXPECT_EQ(fromBF16Bits(0x7f80), std::numeric_limits<float>::infinity());
  EXPECT_EQ(fromBF16Bits(0x0001), std::ldexp(1.0f, -133));
  EXPECT_EQ(toBF16Bits(3.14159265f), 0x4049);
  EXPECT_EQ(toBF16Bits(1.0f + std::ldexp(1.0f, -8)), 0x3f80);
  EXPECT_EQ(toBF16Bits(1.0f + std::ldexp(3.0f, -8)), 0x3f82);
  EXPECT_EQ(toBF16Bits(std::numeric_limits<float>::max()), 0x7f80);
  uint16_t nan = toBF16Bits(std::numeric_limits<float>::quiet_NaN());
  EXPECT_TRUE((nan & 0x7f80) == 0x7f80 && (nan & 0x7f) != 0);
  // A NaN whose payload lies only in the truncated half must stay NaN.
  EXPECT_TRUE(std::isnan(fromBF16Bits(toBF16Bits(floatFromBits(0x7f800001)))));
  EXPECT_TRUE(std::isnan(fromBF16Bits(toBF16Bits(floatFromBits(0xff800001)))));

  LOWBIT_SEEDED_RNG(rng);
  for (float x : conversionInputs(rng, fromBF16Bits))
    expectConversion(toBF16Bits(x), referenceToBits(x, 8, 7), x, fromBF16Bits);
}

} // namespace
