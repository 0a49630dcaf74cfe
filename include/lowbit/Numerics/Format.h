//===- Format.h - Low-bit element formats: encode and decode ----*- C++ -*-===//
//
// The reference definition of every element format lowbit knows: signed and
// unsigned integers of 1..8 bits, sign/exponent/mantissa float codes of any
// split that fits in 8 bits (with named finite/inf/NaN conventions), the e8m0
// exponent-only scale format, codebooks (NF4 or any user table of 2^b values)
// and ternary. Plain C++17, no MLIR or LLVM dependency: the compiler's constant
// folders, the runtime, the tests and the Python package all use this.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_NUMERICS_FORMAT_H
#define LOWBIT_NUMERICS_FORMAT_H

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lowbit::numerics {

/// What kind of values a format's codes stand for.
enum class FormatKind {
  SignedInt,    ///< Two's complement integer of `bits` bits.
  UnsignedInt,  ///< Unsigned integer of `bits` bits.
  Float,        ///< Sign, exponent and mantissa fields (see FloatConvention).
  ExponentOnly, ///< e8m0: unsigned 8-bit exponent, value 2^(code-127).
  Codebook,     ///< Code indexes a table of 2^bits values.
  Ternary,      ///< Codes 0,1,2 stand for -1,0,+1 (code = value + 1).
};

/// How a float code treats the all-ones exponent field.
enum class FloatConvention {
  /// IEEE 754 style: the all-ones exponent encodes +-inf (mantissa 0) and
  /// NaN (mantissa != 0). Example: OCP e5m2.
  IEEE,
  /// "FN": no infinities; the all-ones exponent is an ordinary binade except
  /// that the all-ones exponent with all-ones mantissa is NaN. Example: OCP
  /// e4m3 (max 448). With no mantissa bits the mantissa field is trivially
  /// all ones, so the whole all-ones binade is NaN (as code 255 of e8m0).
  FiniteNaN,
  /// All codes are finite numbers; no inf, no NaN. Example: OCP MX e2m1,
  /// e2m3, e3m2 (max 6, 7.5, 28).
  Finite,
};

/// A float code layout: 1 sign bit, `exponentBits`, `mantissaBits`, with
/// 1 + exponentBits + mantissaBits <= 8, exponentBits >= 1. Exponent field 0
/// encodes subnormals (value = (-1)^s * 2^(1-bias) * m/2^mantissaBits).
struct FloatSpec {
  unsigned exponentBits = 0;
  unsigned mantissaBits = 0;
  int bias = 0; ///< Defaults to 2^(exponentBits-1) - 1 when made by Format.
  FloatConvention convention = FloatConvention::Finite;
  bool operator==(const FloatSpec &o) const {
    return exponentBits == o.exponentBits && mantissaBits == o.mantissaBits &&
           bias == o.bias && convention == o.convention;
  }
};

/// One element format. Codes are the low `bits()` bits of a uint32_t.
class Format {
public:
  /// Integer formats, 1 <= bits <= 8.
  static Format signedInt(unsigned bits);
  static Format unsignedInt(unsigned bits);
  /// Float code; bias defaults to 2^(e-1)-1. Requires e >= 1, 1+e+m <= 8.
  static Format floatCode(unsigned exponentBits, unsigned mantissaBits,
                          FloatConvention convention,
                          std::optional<int> bias = std::nullopt);
  /// The e8m0 scale format (OCP MX): value 2^(code-127), code 255 is NaN.
  static Format e8m0();
  /// A codebook of 2^bits values (1 <= bits <= 8); `values.size()` must be
  /// 2^bits. Values need not be sorted.
  static Format codebook(unsigned bits, std::vector<double> values,
                         std::string name = "");
  /// The NF4 codebook of QLoRA / bitsandbytes (16 values in [-1, 1]).
  static Format nf4();
  /// Ternary {-1, 0, +1}, stored in 2 bits as value + 1.
  static Format ternary();

  /// Parses a format name: `int1`..`int8`, `uint1`..`uint8`, `eXmY` with an
  /// optional convention suffix `_ieee`, `_fn`, `_finite` (default: finite
  /// for codes of at most 6 bits, `_fn` for e4m3, `_ieee` for other 7- and
  /// 8-bit codes) and then an optional `_b<N>` for a non-default bias,
  /// `e8m0`, `nf4`, `ternary`; also the aliases `e2m1`.. and `fp4` (= e2m1)
  /// and the MLIR builtin type names `f4E2M1FN`, `f6E2M3FN`, `f6E3M2FN`,
  /// `f8E4M3FN`, `f8E5M2`, `f8E8M0FNU`. On failure returns nullopt and, if
  /// `error` is non-null, sets it to a full sentence naming the bad value and
  /// what was expected.
  static std::optional<Format> parse(std::string_view name,
                                     std::string *error = nullptr);

  FormatKind kind() const { return kind_; }
  /// Storage width of one code in bits (ternary: 2).
  unsigned bits() const { return bits_; }
  /// Number of distinct codes, 2^bits.
  uint32_t numCodes() const { return 1u << bits_; }
  const FloatSpec &floatSpec() const { return float_; } ///< Kind Float only.
  const std::vector<double> &table() const { return table_; } ///< Codebook.
  bool isSigned() const; ///< True if some code decodes to a negative value.

  /// Canonical name, parseable by parse(): "int4", "uint3", "e2m1",
  /// "e4m3_ieee" (suffix only when not the default; "_b<N>" only for a
  /// non-default bias), "e8m0", "nf4",
  /// "ternary", or the codebook's own name ("codebook4" when unnamed).
  std::string name() const;

  /// The value a code stands for. Codes with bits above bits() or codes
  /// with no value (ternary code 3) decode to NaN; IEEE inf codes to +-inf.
  double decode(uint32_t code) const;

  /// The code whose value is nearest to x: round to nearest, ties to the
  /// even code (for integers and floats: the even integer / even mantissa;
  /// for codebooks and ternary: the smaller code), saturating to the
  /// largest/smallest finite value (never producing inf, even in IEEE
  /// formats). NaN encodes to the format's NaN code if it has one, else 0.
  /// -0.0 encodes to the negative-zero code where one exists. e8m0 rounds in
  /// the log domain, to 2^round(log2 x) (never a tie: sqrt(2) is irrational);
  /// x <= 0 saturates to its smallest value.
  uint32_t encode(double x) const;

  /// Largest and smallest finite values.
  double maxValue() const;
  double minValue() const;
  /// max(|minValue()|, maxValue()): the range used for absmax scaling.
  double maxAbs() const;
  /// True if code stands for a finite number.
  bool isFiniteCode(uint32_t code) const;
  /// All finite values, sorted ascending, without duplicates (+0 and -0
  /// count as one).
  std::vector<double> representableValues() const;

  bool operator==(const Format &o) const;
  bool operator!=(const Format &o) const { return !(*this == o); }

private:
  struct CodeTables;

  Format() = default;
  /// Derives tables_ from the definition; every factory ends with it.
  void buildTables();
  double decodeFromDefinition(uint32_t code) const;

  FormatKind kind_ = FormatKind::SignedInt;
  unsigned bits_ = 0;
  FloatSpec float_;
  std::vector<double> table_;
  std::string name_;
  /// Decode table and rounding grid, shared between copies. Derived data:
  /// not part of the format's identity.
  std::shared_ptr<const CodeTables> tables_;
};

/// Scalar conversions of the scale types, round to nearest even, with IEEE
/// overflow to inf for f16/bf16. (Scale types e8m0 and e4m3 use Format.)
uint16_t toF16Bits(float x);
float fromF16Bits(uint16_t bits);
uint16_t toBF16Bits(float x);
float fromBF16Bits(uint16_t bits);

} // namespace lowbit::numerics

#endif // LOWBIT_NUMERICS_FORMAT_H
