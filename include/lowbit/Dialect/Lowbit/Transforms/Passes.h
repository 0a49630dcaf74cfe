//===- Passes.h - lowbit dialect passes -------------------------*- C++ -*-===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace lowbit {

#define GEN_PASS_DECL
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"

} // namespace lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_H
