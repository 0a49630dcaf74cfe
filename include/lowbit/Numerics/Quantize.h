//===- Quantize.h - Group quantization with scales and zero points -*- C++ -*-//
//
// Group-wise quantization of a dense row-major tensor: every element belongs
// to one group (a block of the tensor given by the group shape); each group
// has a scale, and depending on the zero-point mode a zero point or a second
// (negative-side) scale. Optional two-level scaling puts an f32 tensor scale
// above the group scales (NVFP4). The exact formulas are in docs/numerics.md.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_QUANTIZE_H
#define LOWBIT_NUMERICS_QUANTIZE_H

#include "lowbit/Numerics/Format.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lowbit::numerics {

/// The element type of stored scales (and float zero points).
enum class ScaleType { F32, F16, BF16, E8M0, E4M3 };

/// Parses "f32", "f16", "bf16", "e8m0", "e4m3"; nullopt otherwise.
std::optional<ScaleType> parseScaleType(std::string_view name);
const char *scaleTypeName(ScaleType type);
/// Rounds a value to the nearest value representable in `type` (RNE;
/// e4m3 saturates to +-448; e8m0 rounds to the nearest power of two in
/// log domain, i.e. 2^round(log2|x|), clamped to [2^-127, 2^127]).
double roundToScaleType(double x, ScaleType type);
/// Rounds |x| up to the next value representable in `type` (used so that a
/// computed scale never makes the group's extreme values overflow).
double roundUpToScaleType(double x, ScaleType type);
/// Width of a stored scale: 32 (f32), 16 (f16, bf16) or 8 (e8m0, e4m3) bits.
unsigned scaleTypeBits(ScaleType type);
/// The stored bit pattern of `x` in `type` (f32, f16 and bf16 round to
/// nearest even; e8m0 and e4m3 encode as their Format does).
uint32_t encodeScale(double x, ScaleType type);
/// The value of the stored bit pattern `bits` of `type`.
double decodeScale(uint32_t bits, ScaleType type);

/// How the zero point enters the dequantization formula.
enum class ZeroPointMode {
  None,      ///< x = decode(q) * s
  Integer,   ///< x = (decode(q) - z) * s, z an integer in the code range
  Float,     ///< x = decode(q) * s - z, z a real number
  AsymFloat, ///< x = decode(q) * (decode(q) >= 0 ? s : s_neg)  (AFPQ)
};
std::optional<ZeroPointMode> parseZeroPointMode(std::string_view name);
const char *zeroPointModeName(ZeroPointMode mode); ///< none,int,float,asym-fp

/// How scales are computed from data by calibrate().
enum class ScaleRule {
  /// Fit the group's range exactly: absmax (mode None/AsymFloat) or min/max
  /// (Integer/Float), then round the scale *up* into the scale type so that
  /// no element saturates by more than rounding.
  Range,
  /// OCP MX rule for e8m0 scales: 2^(floor(log2(absmax)) - emax(element)).
  /// Elements may saturate. Only valid with ScaleType::E8M0.
  OcpFloor,
};

/// A group-quantization scheme for a tensor of a given rank.
struct Scheme {
  /// Group extent per dimension; a tensor dimension must be divisible by its
  /// group extent. E.g. weights [N, K] grouped by 128 along K: {1, 128}.
  std::vector<int64_t> groupShape;
  ScaleType scaleType = ScaleType::F32;
  ZeroPointMode zeroPoint = ZeroPointMode::None;
  /// Two-level scaling: group scales are stored relative to one f32 tensor
  /// scale t, i.e. the effective group scale is s * t (NVFP4).
  bool tensorScale = false;
};

/// The parameters of a quantized tensor besides its codes. Group tensors are
/// row-major over the group grid (shape[i] / groupShape[i]).
struct QuantParams {
  std::vector<double> scales;    ///< Values already rounded to scaleType.
  std::vector<double> zeros;     ///< Integer/Float modes (Float: rounded
                                 ///< to scaleType; Integer: integral).
  std::vector<double> negScales; ///< AsymFloat mode, rounded to scaleType.
  double tensorScale = 1.0;      ///< Used when Scheme::tensorScale.
};

/// Checks shape against scheme: same rank, every group extent >= 1 and
/// dividing its dimension, ScaleRule::OcpFloor only with e8m0, AsymFloat only
/// with a signed element format, Integer zero points only with integer
/// formats. Returns an empty string when valid, else a full sentence naming
/// the bad value and what was expected.
std::string verifyScheme(const std::vector<int64_t> &shape,
                         const Format &element, const Scheme &scheme,
                         ScaleRule rule = ScaleRule::Range);

/// Shape of the group grid: shape[i] / groupShape[i].
std::vector<int64_t> groupGridShape(const std::vector<int64_t> &shape,
                                    const Scheme &scheme);

/// Computes scales (and zero points / negative scales / tensor scale) from
/// the data x (row-major, `shape`). Groups of all zeros get scale 1 (and
/// zero point 0) so that they round-trip exactly. Preconditions: the scheme
/// is valid for shape (verifyScheme returned "").
QuantParams calibrate(const std::vector<double> &x,
                      const std::vector<int64_t> &shape, const Format &element,
                      const Scheme &scheme, ScaleRule rule = ScaleRule::Range);

/// Quantizes x with the given parameters: q = encode(x / s) (mode None),
/// encode(x / s + z) (Integer), encode((x + z) / s) (Float), and
/// encode(x / (x >= 0 ? s : s_neg)) (AsymFloat), with s multiplied by the
/// tensor scale when the scheme has one. Round to nearest even, saturating.
/// A zero scale quantizes its group to the code of 0 (or z).
std::vector<uint32_t> quantize(const std::vector<double> &x,
                               const std::vector<int64_t> &shape,
                               const Format &element, const Scheme &scheme,
                               const QuantParams &params);

/// Inverse: the formulas of ZeroPointMode, with s (and s_neg) multiplied by
/// the tensor scale when the scheme has one.
std::vector<double> dequantize(const std::vector<uint32_t> &codes,
                               const std::vector<int64_t> &shape,
                               const Format &element, const Scheme &scheme,
                               const QuantParams &params);

/// Standard schemes for 2-D weights [N, K] grouped along K.
Scheme mxfp4Scheme(); ///< e2m1 elements, e8m0 scales, group 32 (shape
                      ///< {1,32}), no zero point.
Scheme nvfp4Scheme(); ///< e2m1 elements, e4m3 scales per 16, f32 tensor
                      ///< scale.

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_QUANTIZE_H
