//===- QuantizeTest.cpp - Tests of group quantization ---------------------===//
//
// The central property, on fresh random tensors for every zero-point mode,
// element width, scale type and group shape: each dequantized element is the
// value nearest to the input among all values its group's parameters can
// represent, within half the gap between the neighbouring ones.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/Quantize.h"

#include "TestRandom.h"

#include "gtest/gtest.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

using namespace lowbit::numerics;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const ScaleType kScaleTypes[] = {ScaleType::F32, ScaleType::F16,
                                 ScaleType::BF16, ScaleType::E8M0,
                                 ScaleType::E4M3};

Format e2m1() { return Format::floatCode(2, 1, FloatConvention::Finite); }

int64_t numElements(const std::vector<int64_t> &shape) {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  return count;
}

/// Group of the element at a row-major linear index, peeling coordinates
/// off from the innermost dimension.
int64_t groupOf(int64_t linear, const std::vector<int64_t> &shape,
                const std::vector<int64_t> &groupShape) {
  int64_t group = 0, gridStride = 1;
  for (size_t dim = shape.size(); dim-- > 0;) {
    int64_t coordinate = linear % shape[dim];
    linear /= shape[dim];
    group += coordinate / groupShape[dim] * gridStride;
    gridStride *= shape[dim] / groupShape[dim];
  }
  return group;
}

/// One group's parameters as the dequantization formulas use them.
struct GroupParams {
  double scale;
  double negScale;
  double zero;
};

GroupParams paramsOfGroup(const QuantParams &params, const Scheme &scheme,
                          int64_t group) {
  double t = scheme.tensorScale ? params.tensorScale : 1.0;
  GroupParams result{params.scales[group] * t, 0, 0};
  if (scheme.zeroPoint == ZeroPointMode::AsymFloat)
    result.negScale = params.negScales[group] * t;
  if (scheme.zeroPoint == ZeroPointMode::Integer ||
      scheme.zeroPoint == ZeroPointMode::Float)
    result.zero = params.zeros[group];
  return result;
}

/// The documented dequantization formula of one code.
double dequantizeCode(const Format &element, ZeroPointMode mode,
                      const GroupParams &group, uint32_t code) {
  double q = element.decode(code);
  switch (mode) {
  case ZeroPointMode::None:
    return q * group.scale;
  case ZeroPointMode::Integer:
    return (q - group.zero) * group.scale;
  case ZeroPointMode::Float:
    return q * group.scale - group.zero;
  case ZeroPointMode::AsymFloat:
    return q * (q >= 0 ? group.scale : group.negScale);
  }
  return 0;
}

/// Every value a group can represent, ascending.
std::vector<double> groupValues(const Format &element, ZeroPointMode mode,
                                const GroupParams &group) {
  std::vector<double> values;
  for (uint32_t code = 0; code < element.numCodes(); ++code)
    if (element.isFiniteCode(code))
      values.push_back(dequantizeCode(element, mode, group, code));
  std::sort(values.begin(), values.end());
  return values;
}

/// Checks that y, the dequantized x, is a value of the group nearest to x
/// and at most half the gap between x's neighbouring values away. Outside
/// the group's range only rounding slack is allowed, or, with
/// `halfStepBeyondEnds`, half the gap next to the end value.
void expectNearestWithinHalfStep(double x, double y,
                                 const std::vector<double> &values,
                                 bool halfStepBeyondEnds) {
  ASSERT_GE(values.size(), 2u);
  double slack = 1e-9 * std::max({std::fabs(x), std::fabs(values.front()),
                                  std::fabs(values.back())});
  ASSERT_TRUE(std::binary_search(values.begin(), values.end(), y))
      << "dequantized " << y << " is not a value of its group";
  auto above = std::lower_bound(values.begin(), values.end(), x);
  double allowed;
  if (above == values.end())
    allowed = halfStepBeyondEnds ? (values.back() - values.end()[-2]) / 2 : 0;
  else if (above == values.begin())
    allowed = halfStepBeyondEnds ? (values[1] - values[0]) / 2 : 0;
  else
    allowed = (*above - above[-1]) / 2;
  double nearest = kInf;
  if (above != values.end())
    nearest = *above - x;
  if (above != values.begin())
    nearest = std::min(nearest, x - above[-1]);
  double error = std::fabs(y - x);
  EXPECT_LE(error, nearest + slack)
      << "x = " << x << " dequantized to " << y << ", a nearer value exists";
  EXPECT_LE(error, allowed + slack)
      << "x = " << x << " dequantized to " << y << ", more than half a step";
}

/// Random data whose magnitude varies by row, with outliers and every third
/// row offset to one side of 0, confined to the signs the element can
/// represent without a zero point; the first group is all zeros.
std::vector<double> randomTensor(const std::vector<int64_t> &shape,
                                 const std::vector<int64_t> &groupShape,
                                 const Format &element, ZeroPointMode mode,
                                 std::mt19937_64 &rng) {
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> logAmplitude(std::log(0.01),
                                                      std::log(4.0));
  std::bernoulli_distribution outlier(0.02);
  int64_t rowLength = shape.back();
  std::vector<double> x(numElements(shape));
  std::uniform_real_distribution<double> offsetFactor(-6, 6);
  double amplitude = 1, offset = 0;
  for (int64_t i = 0; i < int64_t(x.size()); ++i) {
    if (i % rowLength == 0) {
      amplitude = std::exp(logAmplitude(rng));
      offset = i / rowLength % 3 == 2 ? offsetFactor(rng) * amplitude : 0;
    }
    x[i] = offset + normal(rng) * amplitude * (outlier(rng) ? 4 : 1);
    if (mode == ZeroPointMode::None && element.minValue() >= 0)
      x[i] = std::fabs(x[i]);
    if (mode == ZeroPointMode::None && element.maxValue() <= 0)
      x[i] = -std::fabs(x[i]);
    if (groupOf(i, shape, groupShape) == 0)
      x[i] = 0;
  }
  return x;
}

/// Checks that stored parameters are representable where they are stored.
void expectStoredParams(const QuantParams &params, const Format &element,
                        const Scheme &scheme) {
  auto representable = [&](double value) {
    return value > 0 && roundToScaleType(value, scheme.scaleType) == value;
  };
  for (double scale : params.scales)
    EXPECT_TRUE(representable(scale)) << "scale " << scale;
  for (double scale : params.negScales)
    EXPECT_TRUE(representable(scale)) << "negative-side scale " << scale;
  for (double zero : params.zeros) {
    if (scheme.zeroPoint == ZeroPointMode::Integer) {
      EXPECT_EQ(zero, std::round(zero));
      EXPECT_GE(zero, element.minValue());
      EXPECT_LE(zero, element.maxValue());
    } else {
      EXPECT_EQ(roundToScaleType(zero, scheme.scaleType), zero);
    }
  }
  if (scheme.tensorScale) {
    EXPECT_GT(params.tensorScale, 0);
    EXPECT_EQ(double(float(params.tensorScale)), params.tensorScale);
  }
}

/// Float zero points shift the codes onto the group's true range, so the
/// step must be about (max - min) / (maxValue - minValue), not the step of a
/// range widened to 0. With f32 parameters the zero point's rounding adds
/// almost nothing.
void expectFloatModeFitsTrueRange(const std::vector<double> &x,
                                  const std::vector<int64_t> &shape,
                                  const Format &element, const Scheme &scheme,
                                  const QuantParams &params) {
  std::vector<double> low(params.scales.size(), kInf);
  std::vector<double> high(params.scales.size(), -kInf);
  for (int64_t i = 0; i < int64_t(x.size()); ++i) {
    int64_t group = groupOf(i, shape, scheme.groupShape);
    low[group] = std::min(low[group], x[i]);
    high[group] = std::max(high[group], x[i]);
  }
  double codeRange = element.maxValue() - element.minValue();
  for (size_t group = 0; group < low.size(); ++group) {
    double scale = paramsOfGroup(params, scheme, group).scale;
    double width = high[group] - low[group];
    if (width > 0)
      EXPECT_LE(scale * codeRange,
                width * (1 + 1e-6) + 1e-6 * std::max(-low[group], high[group]))
          << "group " << group << " spans [" << low[group] << ", "
          << high[group] << "]";
  }
}

/// Calibrates, quantizes and dequantizes x, then checks every element.
/// Returns the dequantized tensor.
std::vector<double>
expectRoundTripWithinHalfStep(const std::vector<double> &x,
                              const std::vector<int64_t> &shape,
                              const Format &element, const Scheme &scheme,
                              ScaleRule rule = ScaleRule::Range) {
  std::string error = verifyScheme(shape, element, scheme, rule);
  EXPECT_EQ(error, "");
  if (!error.empty())
    return {};
  QuantParams params = calibrate(x, shape, element, scheme, rule);
  int64_t numGroups = numElements(groupGridShape(shape, scheme));
  EXPECT_EQ(int64_t(params.scales.size()), numGroups);
  expectStoredParams(params, element, scheme);
  if (scheme.zeroPoint == ZeroPointMode::Float &&
      scheme.scaleType == ScaleType::F32 && !scheme.tensorScale)
    expectFloatModeFitsTrueRange(x, shape, element, scheme, params);
  std::vector<uint32_t> codes = quantize(x, shape, element, scheme, params);
  std::vector<double> y = dequantize(codes, shape, element, scheme, params);
  EXPECT_EQ(y.size(), x.size());

  std::vector<std::vector<double>> values(numGroups);
  for (int64_t i = 0; i < int64_t(x.size()); ++i) {
    int64_t group = groupOf(i, shape, scheme.groupShape);
    GroupParams groupParams = paramsOfGroup(params, scheme, group);
    if (values[group].empty())
      values[group] = groupValues(element, scheme.zeroPoint, groupParams);
    EXPECT_EQ(y[i],
              dequantizeCode(element, scheme.zeroPoint, groupParams, codes[i]));
    expectNearestWithinHalfStep(x[i], y[i], values[group],
                                /*halfStepBeyondEnds=*/scheme.zeroPoint ==
                                    ZeroPointMode::Integer);
    if (::testing::Test::HasFailure())
      return y; // One report per configuration is enough.
  }
  return y;
}

struct Grouping {
  std::vector<int64_t> shape;
  std::vector<int64_t> groupShape;
};

const Grouping kGroupings[] = {{{8, 128}, {1, 32}},
                               {{8, 128}, {1, 128}},
                               {{8, 128}, {4, 16}},
                               {{3, 4, 48}, {1, 2, 16}}};

std::vector<Format> integerFormats(bool withSigned, bool withUnsigned) {
  std::vector<Format> formats;
  for (unsigned bits = 1; bits <= 8; ++bits) {
    if (withSigned)
      formats.push_back(Format::signedInt(bits));
    if (withUnsigned)
      formats.push_back(Format::unsignedInt(bits));
  }
  return formats;
}

/// The element formats each zero-point mode is tested with.
std::vector<Format> formatsFor(ZeroPointMode mode, std::mt19937_64 &rng) {
  std::vector<Format> formats;
  switch (mode) {
  case ZeroPointMode::None: {
    formats = integerFormats(true, true);
    for (const char *name : {"e2m1", "e3m2", "e2m3", "e4m3", "e5m2", "e3m0",
                             "e2m2", "e1m2", "nf4", "ternary"})
      formats.push_back(*Format::parse(name));
    std::uniform_int_distribution<int> numerator(-40, 40);
    std::vector<double> table;
    for (int i = 0; i < 16; ++i)
      table.push_back(numerator(rng) / 8.0);
    table[0] = -5.5; // Both signs, whatever the draw.
    table[1] = 3.25;
    formats.push_back(Format::codebook(4, table));
    break;
  }
  case ZeroPointMode::Integer:
    formats = integerFormats(true, true);
    break;
  case ZeroPointMode::Float:
    formats = integerFormats(true, true);
    for (const char *name : {"e2m1", "e4m3", "nf4"})
      formats.push_back(*Format::parse(name));
    break;
  case ZeroPointMode::AsymFloat:
    for (unsigned bits = 2; bits <= 8; ++bits)
      formats.push_back(Format::signedInt(bits));
    for (const char *name : {"e2m1", "e3m2", "e4m3", "nf4", "ternary"})
      formats.push_back(*Format::parse(name));
    break;
  }
  return formats;
}

void checkMode(ZeroPointMode mode) {
  LOWBIT_SEEDED_RNG(rng);
  int configurations = 0;
  for (const Format &element : formatsFor(mode, rng)) {
    for (ScaleType scaleType : kScaleTypes) {
      if (mode == ZeroPointMode::Float && scaleType == ScaleType::E8M0)
        continue; // Rejected by verifyScheme: e8m0 has no zero.
      for (const Grouping &grouping : kGroupings) {
        for (bool tensorScale : {false, true}) {
          Scheme scheme;
          scheme.groupShape = grouping.groupShape;
          scheme.scaleType = scaleType;
          scheme.zeroPoint = mode;
          scheme.tensorScale = tensorScale;
          SCOPED_TRACE(::testing::Message()
                       << element.name() << " elements, "
                       << scaleTypeName(scaleType) << " scales, group extent "
                       << grouping.groupShape.back() << " of rank "
                       << grouping.shape.size()
                       << (tensorScale ? ", with tensor scale" : ""));
          std::vector<double> x = randomTensor(
              grouping.shape, grouping.groupShape, element, mode, rng);
          std::vector<double> y =
              expectRoundTripWithinHalfStep(x, grouping.shape, element, scheme);
          if (::testing::Test::HasFailure())
            return;
          // The all-zero first group round-trips exactly where the element
          // format has a zero.
          std::vector<double> values = element.representableValues();
          bool hasZero = std::binary_search(values.begin(), values.end(), 0.0);
          for (size_t i = 0; hasZero && i < x.size(); ++i)
            if (groupOf(i, grouping.shape, grouping.groupShape) == 0)
              ASSERT_EQ(y[i], 0.0) << "element " << i;
          ++configurations;
        }
      }
    }
  }
  EXPECT_GT(configurations, 100);
}

TEST(QuantizeTest, NoZeroPointIsNearestWithinHalfStep) {
  checkMode(ZeroPointMode::None);
}

TEST(QuantizeTest, IntegerZeroPointIsNearestWithinHalfStep) {
  checkMode(ZeroPointMode::Integer);
}

TEST(QuantizeTest, FloatZeroPointIsNearestWithinHalfStep) {
  checkMode(ZeroPointMode::Float);
}

TEST(QuantizeTest, AsymmetricFloatIsNearestWithinHalfStep) {
  checkMode(ZeroPointMode::AsymFloat);
}

TEST(QuantizeTest, StandardSchemes) {
  Scheme mx = mxfp4Scheme();
  EXPECT_EQ(mx.groupShape, (std::vector<int64_t>{1, 32}));
  EXPECT_EQ(mx.scaleType, ScaleType::E8M0);
  EXPECT_EQ(mx.zeroPoint, ZeroPointMode::None);
  EXPECT_FALSE(mx.tensorScale);
  Scheme nv = nvfp4Scheme();
  EXPECT_EQ(nv.groupShape, (std::vector<int64_t>{1, 16}));
  EXPECT_EQ(nv.scaleType, ScaleType::E4M3);
  EXPECT_EQ(nv.zeroPoint, ZeroPointMode::None);
  EXPECT_TRUE(nv.tensorScale);

  LOWBIT_SEEDED_RNG(rng);
  std::vector<int64_t> shape = {16, 256};
  for (const Scheme &scheme : {mx, nv}) {
    std::vector<double> x =
        randomTensor(shape, scheme.groupShape, e2m1(), scheme.zeroPoint, rng);
    expectRoundTripWithinHalfStep(x, shape, e2m1(), scheme);
  }

  // NVFP4's tensor scale puts the largest group scale at e4m3's top: 448.
  std::vector<double> x =
      randomTensor(shape, nv.groupShape, e2m1(), nv.zeroPoint, rng);
  QuantParams params = calibrate(x, shape, e2m1(), nv);
  double absMax = 0;
  for (double value : x)
    absMax = std::max(absMax, std::fabs(value));
  EXPECT_GE(params.tensorScale, absMax / (6 * 448));
  EXPECT_LE(params.tensorScale, absMax / (6 * 448) * (1 + 1e-6));
  EXPECT_EQ(*std::max_element(params.scales.begin(), params.scales.end()),
            448.0);
}

TEST(QuantizeTest, OcpFloorScalesSaturateAsDocumented) {
  LOWBIT_SEEDED_RNG(rng);
  std::vector<int64_t> shape = {8, 128};
  Scheme scheme = mxfp4Scheme();
  std::vector<double> x =
      randomTensor(shape, scheme.groupShape, e2m1(), scheme.zeroPoint, rng);
  // Give every other group a new absmax 7 * 2^k * u, u in [1, 8/7), above
  // its other elements: the OCP scale is then 2^k and the element maps to
  // 7u > 6, so it saturates.
  std::uniform_real_distribution<double> u(1.0, 8.0 / 7.0);
  for (int64_t start = 32; start < int64_t(x.size()); start += 64) {
    double others = 0;
    for (int64_t i = start; i < start + 32; ++i)
      others = std::max(others, std::fabs(x[i]));
    int k = std::ilogb(others) + 1;
    x[start + 5] = (start % 128 == 32 ? 7 : -7) * std::ldexp(u(rng), k);
  }

  ASSERT_EQ(verifyScheme(shape, e2m1(), scheme, ScaleRule::OcpFloor), "");
  QuantParams params = calibrate(x, shape, e2m1(), scheme, ScaleRule::OcpFloor);
  std::vector<uint32_t> codes = quantize(x, shape, e2m1(), scheme, params);
  std::vector<double> y = dequantize(codes, shape, e2m1(), scheme, params);
  ASSERT_EQ(params.scales.size(), 32u);
  int saturated = 0;
  for (int64_t group = 0; group < 32; ++group) {
    double absMax = 0;
    for (int64_t i = group * 32; i < group * 32 + 32; ++i)
      absMax = std::max(absMax, std::fabs(x[i]));
    int exponent;
    std::frexp(absMax, &exponent); // absMax = f * 2^exponent, f in [0.5, 1).
    double expected = absMax == 0 ? 1.0 : std::ldexp(1.0, exponent - 1 - 2);
    ASSERT_EQ(params.scales[group], expected) << "group " << group;
    GroupParams groupParams = paramsOfGroup(params, scheme, group);
    std::vector<double> values =
        groupValues(e2m1(), ZeroPointMode::None, groupParams);
    for (int64_t i = group * 32; i < group * 32 + 32; ++i) {
      double limit = 6 * params.scales[group];
      if (std::fabs(x[i]) > limit) {
        EXPECT_EQ(y[i], std::copysign(limit, x[i])) << "x = " << x[i];
        ++saturated;
      } else {
        expectNearestWithinHalfStep(x[i], y[i], values,
                                    /*halfStepBeyondEnds=*/false);
      }
    }
  }
  EXPECT_GE(saturated, 8);
}

TEST(QuantizeTest, HandComputedExamples) {
  Scheme scheme;
  scheme.groupShape = {1, 4};
  // Symmetric int4: s = max(7 / 7, 8 / 8) = 1; 3.5 ties to the even 4.
  std::vector<double> x = {-8, -4, 3.5, 7};
  Format int4 = Format::signedInt(4);
  QuantParams params = calibrate(x, {1, 4}, int4, scheme);
  EXPECT_EQ(params.scales, std::vector<double>{1.0});
  EXPECT_TRUE(params.zeros.empty());
  std::vector<uint32_t> codes = quantize(x, {1, 4}, int4, scheme, params);
  EXPECT_EQ(codes, (std::vector<uint32_t>{8, 12, 4, 7}));
  EXPECT_EQ(dequantize(codes, {1, 4}, int4, scheme, params),
            (std::vector<double>{-8, -4, 4, 7}));

  // Asymmetric uint4 over [-1, 2]: s = 3/15 rounded up to f32, z = 5.
  scheme.zeroPoint = ZeroPointMode::Integer;
  x = {-1, 0, 0.5, 2};
  Format uint4 = Format::unsignedInt(4);
  params = calibrate(x, {1, 4}, uint4, scheme);
  EXPECT_EQ(params.scales, std::vector<double>{double(0.2f)});
  EXPECT_GT(double(0.2f), 0.2);
  EXPECT_EQ(params.zeros, std::vector<double>{5.0});
  EXPECT_EQ(quantize(x, {1, 4}, uint4, scheme, params),
            (std::vector<uint32_t>{0, 5, 7, 15}));

  // A zero scale maps its group to the code of 0, or of z.
  params.scales = {0.0};
  params.zeros = {3.0};
  EXPECT_EQ(quantize(x, {1, 4}, uint4, scheme, params),
            (std::vector<uint32_t>{3, 3, 3, 3}));
  scheme.zeroPoint = ZeroPointMode::None;
  params.zeros.clear();
  EXPECT_EQ(quantize(x, {1, 4}, int4, scheme, params),
            (std::vector<uint32_t>{0, 0, 0, 0}));

  // Without a zero point an unsigned format clamps negatives to 0.
  x = {-3, 1, 2, 3};
  params = calibrate(x, {1, 4}, uint4, scheme);
  EXPECT_EQ(params.scales, std::vector<double>{0.2f});
  EXPECT_EQ(dequantize(quantize(x, {1, 4}, uint4, scheme, params), {1, 4},
                       uint4, scheme, params)[0],
            0.0);

  // AsymFloat: separate scales for each side of int4 (7 and -8).
  scheme.zeroPoint = ZeroPointMode::AsymFloat;
  x = {-16, 7, 3, -2};
  params = calibrate(x, {1, 4}, int4, scheme);
  EXPECT_EQ(params.scales, std::vector<double>{1.0});
  EXPECT_EQ(params.negScales, std::vector<double>{2.0});
  EXPECT_EQ(dequantize(quantize(x, {1, 4}, int4, scheme, params), {1, 4}, int4,
                       scheme, params),
            (std::vector<double>{-16, 7, 3, -2}));
}

TEST(QuantizeTest, VerifySchemeNamesTheBadValue) {
  Format int4 = Format::signedInt(4), uint4 = Format::unsignedInt(4);
  Scheme scheme;
  scheme.groupShape = {1, 32};
  EXPECT_EQ(verifyScheme({8, 128}, int4, scheme), "");
  EXPECT_EQ(verifyScheme({8, 100}, int4, scheme),
            "the group extent 32 in dimension 1 does not divide the tensor "
            "size 100; expected a divisor of 100");
  EXPECT_EQ(verifyScheme({128}, int4, scheme),
            "the group shape has rank 2 but the tensor has rank 1; expected "
            "one group extent per tensor dimension");
  scheme.groupShape = {0, 32};
  EXPECT_EQ(verifyScheme({8, 128}, int4, scheme),
            "the group extent 0 in dimension 0 is not positive; expected an "
            "extent of at least 1");
  scheme.groupShape = {1, 32};
  EXPECT_EQ(verifyScheme({-8, 128}, int4, scheme),
            "the tensor size -8 in dimension 0 is negative; expected a size "
            "of at least 0");
  EXPECT_EQ(verifyScheme({8, 128}, e2m1(), scheme, ScaleRule::OcpFloor),
            "the OCP floor scale rule needs e8m0 scales, but the scale type "
            "is 'f32'");
  Scheme mx = mxfp4Scheme();
  EXPECT_EQ(verifyScheme({8, 128}, e2m1(), mx, ScaleRule::OcpFloor), "");
  mx.zeroPoint = ZeroPointMode::Float;
  EXPECT_EQ(verifyScheme({8, 128}, e2m1(), mx, ScaleRule::OcpFloor),
            "the OCP floor scale rule needs zero-point mode 'none', but the "
            "scheme uses 'float'");
  mx = mxfp4Scheme();
  mx.tensorScale = true;
  EXPECT_EQ(verifyScheme({8, 128}, e2m1(), mx, ScaleRule::OcpFloor),
            "the OCP floor scale rule does not support a tensor scale; "
            "expected a scheme without one");
  EXPECT_EQ(verifyScheme({8, 128}, e2m1(), nvfp4Scheme()), "");

  scheme.zeroPoint = ZeroPointMode::AsymFloat;
  EXPECT_EQ(verifyScheme({8, 128}, uint4, scheme),
            "asymmetric float zero points need a signed element format with "
            "negative and positive values, but 'uint4' has values from 0 to "
            "15");
  EXPECT_EQ(verifyScheme({8, 128}, int4, scheme), "");
  scheme.zeroPoint = ZeroPointMode::Integer;
  EXPECT_EQ(verifyScheme({8, 128}, e2m1(), scheme),
            "integer zero points need an integer element format, but the "
            "element format is 'e2m1'");
  EXPECT_EQ(verifyScheme({8, 128}, uint4, scheme), "");
  scheme.zeroPoint = ZeroPointMode::Float;
  scheme.scaleType = ScaleType::E8M0;
  EXPECT_EQ(verifyScheme({8, 128}, uint4, scheme),
            "float zero points cannot be stored as e8m0, which has no zero "
            "and no negative values; expected scale type f32, f16, bf16 or "
            "e4m3");
  scheme.zeroPoint = ZeroPointMode::None;
  EXPECT_EQ(
      verifyScheme({8, 128},
                   Format::floatCode(1, 0, FloatConvention::FiniteNaN), scheme),
      "the element format 'e1m0_fn' has no nonzero finite value; expected a "
      "format that can represent scaled values");
}

TEST(QuantizeTest, GroupGridAndNames) {
  Scheme scheme;
  scheme.groupShape = {4, 1, 32};
  EXPECT_EQ(groupGridShape({8, 3, 128}, scheme),
            (std::vector<int64_t>{2, 3, 4}));
  for (ScaleType type : kScaleTypes)
    EXPECT_EQ(parseScaleType(scaleTypeName(type)), type);
  EXPECT_EQ(parseScaleType("f8"), std::nullopt);
  EXPECT_STREQ(scaleTypeName(ScaleType::BF16), "bf16");
  for (ZeroPointMode mode : {ZeroPointMode::None, ZeroPointMode::Integer,
                             ZeroPointMode::Float, ZeroPointMode::AsymFloat})
    EXPECT_EQ(parseZeroPointMode(zeroPointModeName(mode)), mode);
  EXPECT_STREQ(zeroPointModeName(ZeroPointMode::AsymFloat), "asym-fp");
  EXPECT_EQ(parseZeroPointMode("symmetric"), std::nullopt);
}

//===----------------------------------------------------------------------===//
// Scale types
//===----------------------------------------------------------------------===//

TEST(QuantizeTest, RoundToScaleTypeKnownValues) {
  EXPECT_EQ(roundToScaleType(0.1, ScaleType::F32), double(0.1f));
  EXPECT_EQ(roundToScaleType(-3.0, ScaleType::F16), -3.0);
  // Direct rounding, not through f32 (which would land on the tie first).
  EXPECT_EQ(roundToScaleType(1 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40),
                             ScaleType::F16),
            1 + std::ldexp(1.0, -10));
  EXPECT_EQ(roundToScaleType(1 + std::ldexp(1.0, -8) + std::ldexp(1.0, -30),
                             ScaleType::BF16),
            1 + std::ldexp(1.0, -7));
  EXPECT_EQ(roundToScaleType(1 + std::ldexp(1.0, -11), ScaleType::F16), 1.0);
  EXPECT_EQ(roundToScaleType(65519.0, ScaleType::F16), 65504.0);
  EXPECT_EQ(roundToScaleType(65520.0, ScaleType::F16), kInf);
  EXPECT_EQ(roundToScaleType(1e-8, ScaleType::F16), 0.0);
  EXPECT_EQ(roundToScaleType(1e39, ScaleType::F32), kInf);
  EXPECT_EQ(roundToScaleType(3.0, ScaleType::E8M0), 4.0);
  EXPECT_EQ(roundToScaleType(2.8, ScaleType::E8M0), 2.0);
  EXPECT_EQ(roundToScaleType(-3.0, ScaleType::E8M0), 4.0);
  EXPECT_EQ(roundToScaleType(0.0, ScaleType::E8M0), std::ldexp(1.0, -127));
  EXPECT_EQ(roundToScaleType(1e300, ScaleType::E8M0), std::ldexp(1.0, 127));
  EXPECT_EQ(roundToScaleType(500.0, ScaleType::E4M3), 448.0);
  EXPECT_EQ(roundToScaleType(-500.0, ScaleType::E4M3), -448.0);
  EXPECT_EQ(roundToScaleType(0.3, ScaleType::E4M3), 0.3125);

  EXPECT_EQ(roundUpToScaleType(1 + std::ldexp(1.0, -20), ScaleType::F16),
            1 + std::ldexp(1.0, -10));
  EXPECT_EQ(roundUpToScaleType(70000.0, ScaleType::F16), 65504.0);
  EXPECT_EQ(roundUpToScaleType(-2.5, ScaleType::F16), 2.5);
  EXPECT_EQ(roundUpToScaleType(1e-12, ScaleType::F16), std::ldexp(1.0, -24));
  EXPECT_EQ(roundUpToScaleType(1e-50, ScaleType::F32), std::ldexp(1.0, -149));
  EXPECT_EQ(roundUpToScaleType(1e39, ScaleType::F32), double(FLT_MAX));
  EXPECT_EQ(roundUpToScaleType(0.1, ScaleType::F32), double(0.1f));
  EXPECT_EQ(roundUpToScaleType(3.0, ScaleType::E8M0), 4.0);
  EXPECT_EQ(roundUpToScaleType(4.0, ScaleType::E8M0), 4.0);
  EXPECT_EQ(roundUpToScaleType(4.000001, ScaleType::E8M0), 8.0);
  EXPECT_EQ(roundUpToScaleType(0.0, ScaleType::E8M0), std::ldexp(1.0, -127));
  EXPECT_EQ(roundUpToScaleType(449.0, ScaleType::E4M3), 448.0);
  EXPECT_EQ(roundUpToScaleType(0.3, ScaleType::E4M3), 0.3125);
  EXPECT_EQ(roundUpToScaleType(0.28125, ScaleType::E4M3), 0.28125);
  EXPECT_EQ(roundUpToScaleType(0.0, ScaleType::E4M3), 0.0);
}

/// The representable neighbours below and above a representable positive
/// value of a scale type, from the type's own encoding.
std::pair<double, double> neighbours(double value, ScaleType type) {
  switch (type) {
  case ScaleType::F32: {
    float f = float(value);
    return {std::nextafter(f, 0.0f), std::nextafter(f, HUGE_VALF)};
  }
  case ScaleType::F16: {
    uint16_t bits = toF16Bits(float(value));
    return {fromF16Bits(bits - 1), fromF16Bits(bits + 1)};
  }
  case ScaleType::BF16: {
    uint16_t bits = toBF16Bits(float(value));
    return {fromBF16Bits(bits - 1), fromBF16Bits(bits + 1)};
  }
  case ScaleType::E8M0:
    return {value / 2, value * 2};
  case ScaleType::E4M3: {
    Format e4m3 = Format::floatCode(4, 3, FloatConvention::FiniteNaN);
    uint32_t code = e4m3.encode(value);
    return {e4m3.decode(code - 1), e4m3.decode(code + 1)};
  }
  }
  return {0, 0};
}

bool isRepresentable(double value, ScaleType type) {
  switch (type) {
  case ScaleType::F32:
    return double(float(value)) == value;
  case ScaleType::F16:
    return double(fromF16Bits(toF16Bits(float(value)))) == value;
  case ScaleType::BF16:
    return double(fromBF16Bits(toBF16Bits(float(value)))) == value;
  case ScaleType::E8M0: {
    int exponent;
    return std::frexp(value, &exponent) == 0.5 && exponent - 1 >= -127 &&
           exponent - 1 <= 127;
  }
  case ScaleType::E4M3: {
    Format e4m3 = Format::floatCode(4, 3, FloatConvention::FiniteNaN);
    return e4m3.decode(e4m3.encode(value)) == value;
  }
  }
  return false;
}

TEST(QuantizeTest, ScaleRoundingIsNearestAndUpOnRandomValues) {
  LOWBIT_SEEDED_RNG(rng);
  std::uniform_real_distribution<double> logMagnitude(-8, 8);
  for (ScaleType type : kScaleTypes) {
    SCOPED_TRACE(scaleTypeName(type));
    for (int i = 0; i < 3000; ++i) {
      double x = std::exp2(logMagnitude(rng));
      double nearest = roundToScaleType(x, type);
      ASSERT_TRUE(isRepresentable(nearest, type)) << x << " -> " << nearest;
      auto [below, above] = neighbours(nearest, type);
      auto distance = [&](double value) {
        return type == ScaleType::E8M0 ? std::fabs(std::log2(value / x))
                                       : std::fabs(value - x);
      };
      EXPECT_LE(distance(nearest), distance(below)) << x;
      EXPECT_LE(distance(nearest), distance(above)) << x;
      EXPECT_EQ(roundToScaleType(-x, type),
                type == ScaleType::E8M0 ? nearest : -nearest);

      double up = roundUpToScaleType(x, type);
      ASSERT_TRUE(isRepresentable(up, type)) << x << " -> " << up;
      EXPECT_GE(up, x);
      EXPECT_LT(neighbours(up, type).first, x) << x << " -> " << up;
      EXPECT_EQ(roundUpToScaleType(-x, type), up);
    }
  }
}

} // namespace

namespace {
TEST(QuantizeTest, StoredScaleBits) {
  using lowbit::numerics::decodeScale;
  using lowbit::numerics::encodeScale;
  using lowbit::numerics::scaleTypeBits;
  EXPECT_EQ(scaleTypeBits(ScaleType::F32), 32u);
  EXPECT_EQ(scaleTypeBits(ScaleType::BF16), 16u);
  EXPECT_EQ(scaleTypeBits(ScaleType::E4M3), 8u);
  EXPECT_EQ(encodeScale(1.0, ScaleType::F32), 0x3f800000u);
  EXPECT_EQ(encodeScale(1.0, ScaleType::F16), 0x3c00u);
  EXPECT_EQ(encodeScale(1.0, ScaleType::BF16), 0x3f80u);
  EXPECT_EQ(encodeScale(1.0, ScaleType::E8M0), 127u);
  EXPECT_EQ(encodeScale(448.0, ScaleType::E4M3), 0x7eu);
  EXPECT_EQ(decodeScale(0x7eu, ScaleType::E4M3), 448.0);
  EXPECT_EQ(decodeScale(0x3555u, ScaleType::F16), 0.333251953125);
  // Every value representable in a type comes back from its bits.
  LOWBIT_SEEDED_RNG(rng);
  std::uniform_real_distribution<double> logMagnitude(-20.0, 20.0);
  for (ScaleType type : kScaleTypes) {
    for (int i = 0; i < 1000; ++i) {
      double value = lowbit::numerics::roundToScaleType(
          std::exp2(logMagnitude(rng)), type);
      EXPECT_EQ(decodeScale(encodeScale(value, type), type), value)
          << scaleTypeName(type) << " " << value;
    }
  }
}
} // namespace
