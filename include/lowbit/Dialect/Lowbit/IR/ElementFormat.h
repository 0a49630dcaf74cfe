//===- ElementFormat.h - IR types and constants to numerics -----*- C++ -*-===//
//
// The bridge between IR and the reference numerics library: which numerics
// format an element type stands for, and reading or building constant
// attributes of codes and of real values.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_ELEMENTFORMAT_H
#define LOWBIT_DIALECT_LOWBIT_IR_ELEMENTFORMAT_H

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Numerics/Pack.h"
#include "lowbit/Numerics/Quantize.h"

#include <optional>
#include <vector>

namespace lowbit {

/// The numerics format of a quantized element type, or nullopt for any other
/// type.
std::optional<numerics::Format> getElementFormat(mlir::Type type);

/// The numerics scale type of a scale element type (f32, f16, bf16,
/// f8E8M0FNU, f8E4M3FN), or nullopt.
std::optional<numerics::ScaleType> getScaleType(mlir::Type type);

/// The numerics scheme of a scheme attribute (whose scale type is valid).
numerics::Scheme getNumericsScheme(SchemeAttr scheme);

/// The numerics layout of a layout attribute.
numerics::PackLayout getNumericsLayout(LayoutAttr layout);

/// The layout attribute of a (valid) numerics layout; an aligned order that
/// laneLayout builds prints as `lanes`.
LayoutAttr getLayoutAttr(mlir::MLIRContext *context,
                         const numerics::PackLayout &layout);

/// Reads the codes of a constant quantized tensor: a DenseElementsAttr of a
/// builtin element type (integers: the low bits; floats: the bit pattern) or
/// a CodesAttr. Returns nullopt for anything else.
std::optional<std::vector<uint32_t>> readCodes(mlir::Attribute attr);

/// Builds a constant attribute holding `codes` for the quantized tensor type
/// `type`: a DenseElementsAttr for builtin element types, else a CodesAttr.
mlir::TypedAttr buildCodesAttr(mlir::ShapedType type,
                               llvm::ArrayRef<uint32_t> codes);

/// Reads a constant tensor of floats or integers as doubles, or nullopt.
std::optional<std::vector<double>> readReals(mlir::Attribute attr);

/// Builds a DenseElementsAttr of the float tensor type `type` from doubles,
/// rounding each to the element type (to nearest even).
mlir::DenseElementsAttr buildRealsAttr(mlir::ShapedType type,
                                       llvm::ArrayRef<double> values);

} // namespace lowbit

#endif // LOWBIT_DIALECT_LOWBIT_IR_ELEMENTFORMAT_H
