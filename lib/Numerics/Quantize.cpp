//===- Quantize.cpp - Group quantization with scales and zero points ------===//
//
// Calibration fits each group's range of finite values into the element
// format and rounds scales *up* into the scale type, so that with the Range
// rule no element saturates by more than arithmetic rounding (Integer mode:
// by at most half a step, from rounding the zero point to an integer).
//
//===----------------------------------------------------------------------===//

#include "lowbit/Numerics/Quantize.h"

#include <algorithm>
#include <cassert>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>

using namespace lowbit::numerics;

//===----------------------------------------------------------------------===//
// Scale types
//===----------------------------------------------------------------------===//

std::optional<ScaleType>
lowbit::numerics::parseScaleType(std::string_view name) {
  for (ScaleType type : {ScaleType::F32, ScaleType::F16, ScaleType::BF16,
                         ScaleType::E8M0, ScaleType::E4M3})
    if (name == scaleTypeName(type))
      return type;
  return std::nullopt;
}

const char *lowbit::numerics::scaleTypeName(ScaleType type) {
  switch (type) {
  case ScaleType::F32:
    return "f32";
  case ScaleType::F16:
    return "f16";
  case ScaleType::BF16:
    return "bf16";
  case ScaleType::E8M0:
    return "e8m0";
  case ScaleType::E4M3:
    return "e4m3";
  }
  return "";
}

static const Format &e8m0Format() {
  static const Format format = Format::e8m0();
  return format;
}

static const Format &e4m3Format() {
  static const Format format =
      Format::floatCode(4, 3, FloatConvention::FiniteNaN);
  return format;
}

unsigned lowbit::numerics::scaleTypeBits(ScaleType type) {
  switch (type) {
  case ScaleType::F32:
    return 32;
  case ScaleType::F16:
  case ScaleType::BF16:
    return 16;
  case ScaleType::E8M0:
  case ScaleType::E4M3:
    return 8;
  }
  return 32;
}

uint32_t lowbit::numerics::encodeScale(double x, ScaleType type) {
  switch (type) {
  case ScaleType::F32: {
    float value = static_cast<float>(x);
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    return bits;
  }
  case ScaleType::F16:
    return toF16Bits(static_cast<float>(x));
  case ScaleType::BF16:
    return toBF16Bits(static_cast<float>(x));
  case ScaleType::E8M0:
    return e8m0Format().encode(x);
  case ScaleType::E4M3:
    return e4m3Format().encode(x);
  }
  return 0;
}

double lowbit::numerics::decodeScale(uint32_t bits, ScaleType type) {
  switch (type) {
  case ScaleType::F32: {
    float value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  case ScaleType::F16:
    return fromF16Bits(static_cast<uint16_t>(bits));
  case ScaleType::BF16:
    return fromBF16Bits(static_cast<uint16_t>(bits));
  case ScaleType::E8M0:
    return e8m0Format().decode(bits);
  case ScaleType::E4M3:
    return e4m3Format().decode(bits);
  }
  return 0;
}

namespace {
/// An IEEE binary float scale type: significand bits including the implicit
/// one, exponent of the smallest normal, largest finite value.
struct BinaryFloat {
  int precision;
  int minExponent;
  double maxFinite;
};
} // namespace

static BinaryFloat binaryFloatOf(ScaleType type) {
  switch (type) {
  case ScaleType::F16:
    return {11, -14, 65504.0};
  case ScaleType::BF16:
    return {8, -126, std::ldexp(255.0, 120)};
  default:
    return {24, -126, double(FLT_MAX)};
  }
}

/// Rounds to the nearest integer, ties to even, independent of the
/// floating-point environment's rounding mode.
static double roundHalfEven(double value) {
  double whole = std::floor(value);
  double fraction = value - whole;
  if (fraction > 0.5 || (fraction == 0.5 && std::fmod(whole, 2.0) != 0.0))
    return whole + 1.0;
  return whole;
}

namespace {
/// How to round a non-negative magnitude into a scale type.
enum class Rounding { NearestEven, Up, Down };
} // namespace

/// Rounds a magnitude onto the grid of a binary float whose exponent range
/// is unbounded above (the caller decides between inf and saturation).
static double roundMagnitudeToBinaryFloat(double magnitude,
                                          const BinaryFloat &format,
                                          Rounding rounding) {
  if (magnitude == 0 || !std::isfinite(magnitude))
    return magnitude;
  int exponent = std::max(std::ilogb(magnitude), format.minExponent);
  // Scaling by a power of two is exact, so the only rounding is ours.
  double quantum = std::ldexp(1.0, exponent - (format.precision - 1));
  double units = magnitude / quantum;
  switch (rounding) {
  case Rounding::NearestEven:
    return roundHalfEven(units) * quantum;
  case Rounding::Up:
    return std::ceil(units) * quantum;
  case Rounding::Down:
    return std::floor(units) * quantum;
  }
  return magnitude;
}

/// Rounds a magnitude to a value of `format`, staying within its finite
/// values. Its non-negative codes ascend with their values.
static double roundMagnitudeWithFormat(const Format &format, double magnitude,
                                       Rounding rounding) {
  uint32_t code = format.encode(magnitude);
  double value = format.decode(code);
  if (rounding == Rounding::Up && value < magnitude &&
      format.isFiniteCode(code + 1))
    return format.decode(code + 1);
  if (rounding == Rounding::Down && value > magnitude && code > 0)
    return format.decode(code - 1);
  return value;
}

static double roundMagnitude(double magnitude, ScaleType type,
                             Rounding rounding) {
  switch (type) {
  case ScaleType::E8M0:
    return roundMagnitudeWithFormat(e8m0Format(), magnitude, rounding);
  case ScaleType::E4M3:
    return roundMagnitudeWithFormat(e4m3Format(), magnitude, rounding);
  default:
    return roundMagnitudeToBinaryFloat(magnitude, binaryFloatOf(type),
                                       rounding);
  }
}

static double scaleTypeMax(ScaleType type) {
  switch (type) {
  case ScaleType::E8M0:
    return e8m0Format().maxValue();
  case ScaleType::E4M3:
    return e4m3Format().maxValue();
  default:
    return binaryFloatOf(type).maxFinite;
  }
}

double lowbit::numerics::roundToScaleType(double x, ScaleType type) {
  double magnitude = roundMagnitude(std::fabs(x), type, Rounding::NearestEven);
  if (type == ScaleType::E8M0) // No sign.
    return magnitude;
  if (magnitude > scaleTypeMax(type)) // IEEE overflow of f32, f16, bf16.
    magnitude = HUGE_VAL;
  return std::copysign(magnitude, x);
}

double lowbit::numerics::roundUpToScaleType(double x, ScaleType type) {
  // Past the largest finite value there is nothing above to round to; a
  // saturated scale is still usable, inf is not.
  return std::min(roundMagnitude(std::fabs(x), type, Rounding::Up),
                  scaleTypeMax(type));
}

/// Rounds x into the scale type toward +inf (`upward`) or -inf, saturating
/// at the type's largest magnitude.
static double roundDirected(double x, ScaleType type, bool upward) {
  bool awayFromZero = (x >= 0) == upward;
  double magnitude = roundMagnitude(
      std::fabs(x), type, awayFromZero ? Rounding::Up : Rounding::Down);
  return std::copysign(std::min(magnitude, scaleTypeMax(type)), x);
}

//===----------------------------------------------------------------------===//
// Schemes
//===----------------------------------------------------------------------===//

std::optional<ZeroPointMode>
lowbit::numerics::parseZeroPointMode(std::string_view name) {
  for (ZeroPointMode mode : {ZeroPointMode::None, ZeroPointMode::Integer,
                             ZeroPointMode::Float, ZeroPointMode::AsymFloat})
    if (name == zeroPointModeName(mode))
      return mode;
  return std::nullopt;
}

const char *lowbit::numerics::zeroPointModeName(ZeroPointMode mode) {
  switch (mode) {
  case ZeroPointMode::None:
    return "none";
  case ZeroPointMode::Integer:
    return "int";
  case ZeroPointMode::Float:
    return "float";
  case ZeroPointMode::AsymFloat:
    return "asym-fp";
  }
  return "";
}

static std::string formatNumber(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", value);
  return buffer;
}

/// Checks the group shape against the tensor shape.
static std::string verifyGroupShape(const std::vector<int64_t> &shape,
                                    const std::vector<int64_t> &groupShape) {
  if (groupShape.size() != shape.size())
    return "the group shape has rank " + std::to_string(groupShape.size()) +
           " but the tensor has rank " + std::to_string(shape.size()) +
           "; expected one group extent per tensor dimension";
  for (size_t dim = 0; dim < shape.size(); ++dim) {
    std::string where = " in dimension " + std::to_string(dim);
    if (shape[dim] < 0)
      return "the tensor size " + std::to_string(shape[dim]) + where +
             " is negative; expected a size of at least 0";
    if (groupShape[dim] < 1)
      return "the group extent " + std::to_string(groupShape[dim]) + where +
             " is not positive; expected an extent of at least 1";
    if (shape[dim] % groupShape[dim] != 0)
      return "the group extent " + std::to_string(groupShape[dim]) + where +
             " does not divide the tensor size " + std::to_string(shape[dim]) +
             "; expected a divisor of " + std::to_string(shape[dim]);
  }
  return "";
}

/// Checks what the OCP MX floor rule supports: e8m0 scales, nothing else.
static std::string verifyOcpFloor(const Scheme &scheme) {
  if (scheme.scaleType != ScaleType::E8M0)
    return std::string("the OCP floor scale rule needs e8m0 scales, but the "
                       "scale type is '") +
           scaleTypeName(scheme.scaleType) + "'";
  if (scheme.zeroPoint != ZeroPointMode::None)
    return std::string("the OCP floor scale rule needs zero-point mode "
                       "'none', but the scheme uses '") +
           zeroPointModeName(scheme.zeroPoint) + "'";
  if (scheme.tensorScale)
    return "the OCP floor scale rule does not support a tensor scale; "
           "expected a scheme without one";
  return "";
}

/// Checks that the element format and scale type can hold the zero points.
static std::string verifyZeroPoint(const Format &element,
                                   const Scheme &scheme) {
  std::string elementName = "'" + element.name() + "'";
  switch (scheme.zeroPoint) {
  case ZeroPointMode::None:
    return "";
  case ZeroPointMode::Integer:
    if (element.kind() != FormatKind::SignedInt &&
        element.kind() != FormatKind::UnsignedInt)
      return "integer zero points need an integer element format, but the "
             "element format is " +
             elementName;
    return "";
  case ZeroPointMode::Float:
    if (scheme.scaleType == ScaleType::E8M0)
      return "float zero points cannot be stored as e8m0, which has no zero "
             "and no negative values; expected scale type f32, f16, bf16 or "
             "e4m3";
    return "";
  case ZeroPointMode::AsymFloat:
    if (!(element.minValue() < 0 && element.maxValue() > 0))
      return "asymmetric float zero points need a signed element format with "
             "negative and positive values, but " +
             elementName + " has values from " +
             formatNumber(element.minValue()) + " to " +
             formatNumber(element.maxValue());
    return "";
  }
  return "";
}

std::string lowbit::numerics::verifyScheme(const std::vector<int64_t> &shape,
                                           const Format &element,
                                           const Scheme &scheme,
                                           ScaleRule rule) {
  if (std::string error = verifyGroupShape(shape, scheme.groupShape);
      !error.empty())
    return error;
  if (element.maxAbs() == 0)
    return "the element format '" + element.name() +
           "' has no nonzero finite value; expected a format that can "
           "represent scaled values";
  if (rule == ScaleRule::OcpFloor)
    if (std::string error = verifyOcpFloor(scheme); !error.empty())
      return error;
  return verifyZeroPoint(element, scheme);
}

std::vector<int64_t>
lowbit::numerics::groupGridShape(const std::vector<int64_t> &shape,
                                 const Scheme &scheme) {
  std::vector<int64_t> grid;
  for (size_t dim = 0; dim < shape.size(); ++dim)
    grid.push_back(shape[dim] / scheme.groupShape[dim]);
  return grid;
}

static int64_t product(const std::vector<int64_t> &values) {
  int64_t result = 1;
  for (int64_t value : values)
    result *= value;
  return result;
}

/// For every element of a row-major tensor, the row-major index of its group
/// in the group grid.
static std::vector<int64_t> groupOfElements(const std::vector<int64_t> &shape,
                                            const Scheme &scheme) {
  std::vector<int64_t> grid = groupGridShape(shape, scheme);
  std::vector<int64_t> index(shape.size(), 0);
  std::vector<int64_t> groupOf(product(shape));
  for (int64_t &group : groupOf) {
    group = 0;
    for (size_t dim = 0; dim < shape.size(); ++dim)
      group = group * grid[dim] + index[dim] / scheme.groupShape[dim];
    // Advance the multi-index, innermost dimension fastest.
    for (size_t dim = shape.size(); dim-- > 0;) {
      if (++index[dim] < shape[dim])
        break;
      index[dim] = 0;
    }
  }
  return groupOf;
}

//===----------------------------------------------------------------------===//
// Calibration
//===----------------------------------------------------------------------===//

namespace {
/// The range of a group's finite values.
struct GroupRange {
  double min = HUGE_VAL;
  double max = -HUGE_VAL;
  /// The range widened to include 0 ([0, 0] for a group without finite
  /// values). Integer mode fits this, as GPTQ does, so that the zero point
  /// lies in the code range and 0 is exact; the modes without zero point
  /// can only scale around 0 anyway.
  double low() const { return std::min(min, 0.0); }
  double high() const { return std::max(max, 0.0); }
  bool isZero() const { return low() == 0 && high() == 0; }
  double absMax() const { return std::max(-low(), high()); }
};

/// What a group needs: the smallest effective scales (before dividing by a
/// tensor scale and rounding into the scale type) that make its range fit,
/// and the Float-mode zero point (already rounded, since the scale is fitted
/// around it).
struct GroupFit {
  double scale = 0;
  double negScale = 0;
  double zero = 0;
};
} // namespace

/// The smallest s with [low, high] inside s * [minValue, maxValue]. A side
/// the element cannot represent (negatives of an unsigned format) does not
/// count: those elements clamp to 0.
static double rangeFitScale(double low, double high, const Format &element) {
  double fit = 0;
  if (element.maxValue() > 0)
    fit = std::max(fit, high / element.maxValue());
  if (element.minValue() < 0)
    fit = std::max(fit, low / element.minValue());
  return fit;
}

/// Float mode fits the group's true range: x = q * s - z can shift it
/// anywhere. The zero point is rounded in the direction that keeps the end
/// a one-sided format pins covered (z >= -min when the codes start at 0,
/// z <= -max when they end at 0), and the scale is refitted around it.
/// (Formats whose values all have one sign can miss the far end by the zero
/// point's rounding error.)
static GroupFit fitFloatZeroPoint(const GroupRange &range,
                                  const Format &element, ScaleType type) {
  GroupFit fit;
  if (range.isZero())
    return fit;
  double maxValue = element.maxValue(), minValue = element.minValue();
  double exact = (range.max - range.min) / (maxValue - minValue);
  double zero = minValue * exact - range.min;
  if (minValue == 0)
    fit.zero = roundDirected(zero, type, /*upward=*/true);
  else if (maxValue == 0)
    fit.zero = roundDirected(zero, type, /*upward=*/false);
  else
    fit.zero = std::clamp(roundToScaleType(zero, type), -scaleTypeMax(type),
                          scaleTypeMax(type));
  fit.scale =
      rangeFitScale(range.min + fit.zero, range.max + fit.zero, element);
  return fit;
}

static GroupFit fitGroup(const GroupRange &range, const Format &element,
                         const Scheme &scheme) {
  double maxValue = element.maxValue(), minValue = element.minValue();
  GroupFit fit;
  switch (scheme.zeroPoint) {
  case ZeroPointMode::None:
    fit.scale = rangeFitScale(range.low(), range.high(), element);
    break;
  case ZeroPointMode::AsymFloat:
    fit.scale = range.high() / maxValue;
    fit.negScale = range.low() / minValue;
    break;
  case ZeroPointMode::Integer:
    fit.scale = (range.high() - range.low()) / (maxValue - minValue);
    break;
  case ZeroPointMode::Float:
    fit = fitFloatZeroPoint(range, element, scheme.scaleType);
    break;
  }
  return fit;
}

/// The f32 tensor scale that puts the largest group scale at the top of
/// the scale type, rounded up so that no group scale overflows it.
static double tensorScaleFor(const std::vector<GroupFit> &fits,
                             ScaleType type) {
  double largest = 0;
  for (const GroupFit &fit : fits)
    largest = std::max({largest, fit.scale, fit.negScale});
  if (largest == 0)
    return 1.0;
  return roundUpToScaleType(largest / scaleTypeMax(type), ScaleType::F32);
}

/// Stores a required scale relative to the tensor scale; a group (or side)
/// with nothing to fit gets 1, with which zeros round-trip exactly.
static double storedScale(double required, double tensorScale, ScaleType type) {
  if (required == 0)
    return 1.0;
  return roundUpToScaleType(required / tensorScale, type);
}

/// The OCP MX scale 2^(floor(log2(absmax)) - emax(element)).
static double ocpFloorScale(double absMax, const Format &element) {
  if (absMax == 0)
    return 1.0;
  int exponent = std::ilogb(absMax) - std::ilogb(element.maxValue());
  return std::ldexp(1.0, std::clamp(exponent, -127, 127));
}

/// z = round-half-even(qmin - low / s), clamped to the code range, so that
/// the low end of the range maps to the lowest code.
static double integerZeroPoint(const GroupRange &range, double scale,
                               const Format &element) {
  if (range.isZero())
    return 0;
  double zero = roundHalfEven(element.minValue() - range.low() / scale);
  return std::clamp(zero, element.minValue(), element.maxValue());
}

QuantParams lowbit::numerics::calibrate(const std::vector<double> &x,
                                        const std::vector<int64_t> &shape,
                                        const Format &element,
                                        const Scheme &scheme, ScaleRule rule) {
  assert(verifyScheme(shape, element, scheme, rule).empty() &&
         "calibrate needs a valid scheme");
  assert(int64_t(x.size()) == product(shape) && "data does not match shape");
  std::vector<int64_t> groupOf = groupOfElements(shape, scheme);
  std::vector<GroupRange> ranges(product(groupGridShape(shape, scheme)));
  for (size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]))
      continue;
    GroupRange &range = ranges[groupOf[i]];
    range.min = std::min(range.min, x[i]);
    range.max = std::max(range.max, x[i]);
  }

  std::vector<GroupFit> fits;
  for (const GroupRange &range : ranges)
    fits.push_back(fitGroup(range, element, scheme));

  QuantParams params;
  params.tensorScale =
      scheme.tensorScale ? tensorScaleFor(fits, scheme.scaleType) : 1.0;
  for (size_t group = 0; group < ranges.size(); ++group) {
    const GroupFit &fit = fits[group];
    params.scales.push_back(
        rule == ScaleRule::OcpFloor
            ? ocpFloorScale(ranges[group].absMax(), element)
            : storedScale(fit.scale, params.tensorScale, scheme.scaleType));
    if (scheme.zeroPoint == ZeroPointMode::AsymFloat)
      params.negScales.push_back(
          storedScale(fit.negScale, params.tensorScale, scheme.scaleType));
    if (scheme.zeroPoint == ZeroPointMode::Integer)
      params.zeros.push_back(integerZeroPoint(
          ranges[group], params.scales.back() * params.tensorScale, element));
    if (scheme.zeroPoint == ZeroPointMode::Float)
      params.zeros.push_back(fit.zero);
  }
  return params;
}

//===----------------------------------------------------------------------===//
// Quantize and dequantize
//===----------------------------------------------------------------------===//

namespace {
/// One group's parameters with the tensor scale folded into the scales.
struct EffectiveParams {
  double scale = 1;
  double negScale = 1;
  double zero = 0;
};
} // namespace

static EffectiveParams effectiveParams(const QuantParams &params,
                                       const Scheme &scheme, int64_t group) {
  double tensorScale = scheme.tensorScale ? params.tensorScale : 1.0;
  EffectiveParams effective;
  effective.scale = params.scales[group] * tensorScale;
  if (scheme.zeroPoint == ZeroPointMode::AsymFloat)
    effective.negScale = params.negScales[group] * tensorScale;
  if (scheme.zeroPoint == ZeroPointMode::Integer ||
      scheme.zeroPoint == ZeroPointMode::Float)
    effective.zero = params.zeros[group];
  return effective;
}

static uint32_t quantizeValue(double x, const Format &element,
                              ZeroPointMode mode,
                              const EffectiveParams &group) {
  switch (mode) {
  case ZeroPointMode::None:
    return element.encode(group.scale == 0 ? 0.0 : x / group.scale);
  case ZeroPointMode::Integer:
    return element.encode(group.scale == 0 ? group.zero
                                           : x / group.scale + group.zero);
  case ZeroPointMode::Float:
    return element.encode(group.scale == 0 ? 0.0
                                           : (x + group.zero) / group.scale);
  case ZeroPointMode::AsymFloat: {
    double scale = x >= 0 ? group.scale : group.negScale;
    return element.encode(scale == 0 ? 0.0 : x / scale);
  }
  }
  return 0;
}

static double dequantizeValue(uint32_t code, const Format &element,
                              ZeroPointMode mode,
                              const EffectiveParams &group) {
  double value = element.decode(code);
  switch (mode) {
  case ZeroPointMode::None:
    return value * group.scale;
  case ZeroPointMode::Integer:
    return (value - group.zero) * group.scale;
  case ZeroPointMode::Float:
    return value * group.scale - group.zero;
  case ZeroPointMode::AsymFloat:
    return value * (value >= 0 ? group.scale : group.negScale);
  }
  return value;
}

/// The preconditions shared by quantize() and dequantize(): one element per
/// tensor entry and one of each parameter the mode uses per group.
[[maybe_unused]] static bool paramsMatch(const std::vector<int64_t> &shape,
                                         const Scheme &scheme,
                                         const QuantParams &params,
                                         size_t numElements) {
  size_t numGroups = product(groupGridShape(shape, scheme));
  bool needsNegScales = scheme.zeroPoint == ZeroPointMode::AsymFloat;
  bool needsZeros = scheme.zeroPoint == ZeroPointMode::Integer ||
                    scheme.zeroPoint == ZeroPointMode::Float;
  return numElements == size_t(product(shape)) &&
         params.scales.size() == numGroups &&
         (!needsNegScales || params.negScales.size() == numGroups) &&
         (!needsZeros || params.zeros.size() == numGroups);
}

std::vector<uint32_t> lowbit::numerics::quantize(
    const std::vector<double> &x, const std::vector<int64_t> &shape,
    const Format &element, const Scheme &scheme, const QuantParams &params) {
  assert(paramsMatch(shape, scheme, params, x.size()) &&
         "parameters do not match the shape and scheme");
  std::vector<int64_t> groupOf = groupOfElements(shape, scheme);
  std::vector<uint32_t> codes(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    codes[i] = quantizeValue(x[i], element, scheme.zeroPoint,
                             effectiveParams(params, scheme, groupOf[i]));
  return codes;
}

std::vector<double> lowbit::numerics::dequantize(
    const std::vector<uint32_t> &codes, const std::vector<int64_t> &shape,
    const Format &element, const Scheme &scheme, const QuantParams &params) {
  assert(paramsMatch(shape, scheme, params, codes.size()) &&
         "parameters do not match the shape and scheme");
  std::vector<int64_t> groupOf = groupOfElements(shape, scheme);
  std::vector<double> values(codes.size());
  for (size_t i = 0; i < codes.size(); ++i)
    values[i] = dequantizeValue(codes[i], element, scheme.zeroPoint,
                                effectiveParams(params, scheme, groupOf[i]));
  return values;
}

Scheme lowbit::numerics::mxfp4Scheme() {
  Scheme scheme;
  scheme.groupShape = {1, 32};
  scheme.scaleType = ScaleType::E8M0;
  return scheme;
}

Scheme lowbit::numerics::nvfp4Scheme() {
  Scheme scheme;
  scheme.groupShape = {1, 16};
  scheme.scaleType = ScaleType::E4M3;
  scheme.tensorScale = true;
  return scheme;
}
