//===- LutPlan.h - A weight value as weighted lookups of its bits -*- C++ -*-//
//
// The lut strategy's decomposition of a weight value into streams of table
// lookups, shared by the CPU lut kernels (symmetric tables) and the GPU lut
// kernels (plain tables). docs/lut-kernels.md#formulas derives it.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_CPU_LUTPLAN_H
#define LOWBIT_TARGET_CPU_LUTPLAN_H

#include "lowbit/Numerics/Format.h"
#include "lowbit/Numerics/Quantize.h"

#include <string>
#include <string_view>
#include <vector>

namespace lowbit::cpu::lut {

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

/// The plan for integer or ternary weights of `format`; `asym` splits the
/// value into its positive and negative parts (asym-fp zero points).
LutPlan planStreams(const numerics::Format &format, bool asym);

/// The constant of a part (`negative` or not) for plain tables
/// T[p] = sum_j bit_j(p) x_j, with which the part is sum over its streams of
/// +-2^e * lookups + this constant * xsum: T' = 2 T - xsum turns the
/// symmetric form into this one.
double plainTableConstant(const LutPlan &plan, bool negative);

/// The statement (without indentation or newline) that adds a group's
/// lookups to the accumulator `acc`, by the zero-point mode, with `s` the
/// group's scale, `pos` its positive part, `z` its zero point, `xs` its
/// activation sum and `negTerm` the scaled negative part (asym-fp):
/// `acc += s * pos;`, `acc += s * (pos - z * xs);` (integer zero points),
/// `acc += s * pos - z * xs;` (float), `acc += s * pos + negTerm;`. The CPU
/// and GPU lut kernels print it under their own names.
std::string groupUpdate(numerics::ZeroPointMode mode, std::string_view acc,
                        std::string_view s, std::string_view pos,
                        std::string_view z, std::string_view xs,
                        std::string_view negTerm);

} // namespace lowbit::cpu::lut

#endif // LOWBIT_TARGET_CPU_LUTPLAN_H
