//===- IRTypes.h - Kernel scalar types of MLIR types ------------*- C++ -*-===//
//
// Which kernel scalar type (cpu::ScalarType) an MLIR element type is. Shared
// by the passes (the cost model, the strategy choice) and the translations,
// which link different libraries: hence inline, on MLIR's Type alone.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_CPU_IRTYPES_H
#define LOWBIT_TARGET_CPU_IRTYPES_H

#include "lowbit/Target/CPU/CpuKernel.h"

#include "mlir/IR/Types.h"

#include <optional>

namespace lowbit {

/// The kernel scalar type of an MLIR type: f32, f16, bf16, or none.
inline std::optional<cpu::ScalarType> getScalarType(mlir::Type type) {
  if (type.isF32())
    return cpu::ScalarType::F32;
  if (type.isF16())
    return cpu::ScalarType::F16;
  if (type.isBF16())
    return cpu::ScalarType::BF16;
  return std::nullopt;
}

} // namespace lowbit

#endif // LOWBIT_TARGET_CPU_IRTYPES_H
