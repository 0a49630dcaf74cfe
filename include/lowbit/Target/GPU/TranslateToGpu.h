//===- TranslateToGpu.h - Scheduled lowbit IR to CUDA / HIP C++ -*- C++ -*-===//
//
// `lowbit-translate --emit-cuda` and `--emit-hip`: one GPU kernel per
// function holding a scheduled (packed) lowbit.matmul.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_GPU_TRANSLATETOGPU_H
#define LOWBIT_TARGET_GPU_TRANSLATETOGPU_H

#include "lowbit/Target/GPU/GpuKernel.h"

#include "mlir/Support/LLVM.h"

namespace mlir {
class Operation;
} // namespace mlir

namespace lowbit {
class MatmulOp;

/// The kernel specification of a scheduled matmul, or a located error. The
/// decomposition is `tile` when given, else the one a `lowbit.schedule`
/// attribute records (checked), else the emitter's default.
mlir::FailureOr<gpu::KernelSpec>
getGpuKernelSpec(MatmulOp op, gpu::Target target, llvm::StringRef name,
                 std::optional<gpu::TileConfig> tile = std::nullopt);

/// The decomposition a `lowbit.schedule` attribute (--lowbit-tile-search)
/// records for `target`, none without one, or a located error.
mlir::FailureOr<std::optional<gpu::TileConfig>>
readGpuSchedule(MatmulOp op, gpu::Target target);

/// Prints the kernels of every function of `module` holding a matmul.
/// `tile` overrides the decomposition gpu::defaultTileConfig picks.
mlir::LogicalResult
translateToGpu(mlir::Operation *module, llvm::raw_ostream &os,
               gpu::Target target,
               std::optional<gpu::TileConfig> tile = std::nullopt);

void registerToGpuTranslations();

} // namespace lowbit

#endif // LOWBIT_TARGET_GPU_TRANSLATETOGPU_H
