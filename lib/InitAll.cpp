//===- InitAll.cpp - Dialects and passes lowbit tools register -----------===//

#include "lowbit/InitAll.h"

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Dialect/Lowbit/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

void lowbit::registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<lowbit::LowbitDialect, mlir::arith::ArithDialect,
                  mlir::bufferization::BufferizationDialect,
                  mlir::func::FuncDialect, mlir::linalg::LinalgDialect,
                  mlir::math::MathDialect, mlir::memref::MemRefDialect,
                  mlir::scf::SCFDialect, mlir::tensor::TensorDialect>();
  // Lets the inliner see through func.call.
  mlir::func::registerInlinerExtension(registry);
}

void lowbit::registerAllPasses() {
  // lowbit's own: --lowbit-fuse-dequant.
  lowbit::registerLowbitPasses();
  lowbit::registerCpuPipeline();
  lowbit::registerGpuPipeline();
  // Generic cleanups: canonicalize, cse, inline, symbol-dce, ...
  mlir::registerTransformsPasses();
  // Linalg rewrites users run before fusion (generalization, elementwise
  // fusion, ...).
  mlir::registerLinalgPasses();
}
