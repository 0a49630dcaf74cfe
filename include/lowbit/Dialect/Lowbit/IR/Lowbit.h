//===- Lowbit.h - lowbit dialect, types, attributes and ops -----*- C++ -*-===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_LOWBIT_H
#define LOWBIT_DIALECT_LOWBIT_IR_LOWBIT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "lowbit/Dialect/Lowbit/IR/LowbitDialect.h.inc"
#include "lowbit/Dialect/Lowbit/IR/LowbitEnums.h.inc"

#define GET_TYPEDEF_CLASSES
#include "lowbit/Dialect/Lowbit/IR/LowbitTypes.h.inc"

#define GET_ATTRDEF_CLASSES
#include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.h.inc"

namespace lowbit {
/// True for every element type a quantized tensor may have: builtin integers
/// of 1..8 bits, the builtin small floats, and the dialect's element types.
bool isQuantElementType(mlir::Type type);

/// The discardable attribute holding a matmul's chosen schedule: a
/// dictionary {target = "cpu-avx2", rows = 4, acc = 2, kblock = 0,
/// threads = 2, ...} set by --lowbit-tile-search and read by the emitters
/// (docs/tuning.md).
inline constexpr llvm::StringLiteral kScheduleAttrName = "lowbit.schedule";
} // namespace lowbit

#define GET_OP_CLASSES
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.h.inc"

#endif // LOWBIT_DIALECT_LOWBIT_IR_LOWBIT_H
