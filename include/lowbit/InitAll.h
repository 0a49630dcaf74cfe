//===- InitAll.h - Dialects and passes lowbit tools register ----*- C++ -*-===//

#ifndef LOWBIT_INITALL_H
#define LOWBIT_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace lowbit {

/// Registers the dialects lowbit-opt parses: lowbit, func, arith, math,
/// tensor, linalg, bufferization, scf, memref.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Registers the passes lowbit-opt offers: lowbit's own and the upstream
/// transforms users need around them.
void registerAllPasses();

} // namespace lowbit

#endif // LOWBIT_INITALL_H
