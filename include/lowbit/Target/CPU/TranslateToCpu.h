//===- TranslateToCpu.h - Scheduled lowbit IR to CPU C++ --------*- C++ -*-===//
//
// Emits one CPU kernel per function that holds a scheduled lowbit.matmul
// (weights packed in the CPU layout), through the kernel generator of
// CpuKernel.h.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_TARGET_CPU_TRANSLATETOCPU_H
#define LOWBIT_TARGET_CPU_TRANSLATETOCPU_H

#include "lowbit/Target/CPU/CpuKernel.h"
#include "lowbit/Target/CPU/IRTypes.h"

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"

namespace mlir {
class Operation;
class Type;
} // namespace mlir

namespace lowbit {
class MatmulOp;

/// The epilogue region of `op` as C++ statements (shared by the CPU and GPU
/// emitters), or a located error naming an op or type it cannot print.
mlir::FailureOr<cpu::Epilogue> printEpilogue(MatmulOp op);

/// The kernel specification of a scheduled matmul for `isa`, or a located
/// error on the op saying what keeps it from being emitted.
/// `schedule` overrides the op's `lowbit.schedule` attribute (which
/// --lowbit-tile-search sets); without either the kernel takes the default
/// schedule.
mlir::FailureOr<cpu::KernelSpec>
getCpuKernelSpec(MatmulOp op, cpu::Isa isa, llvm::StringRef name,
                 std::optional<cpu::CpuSchedule> schedule = std::nullopt);

/// Reads the `lowbit.schedule` dictionary of `op` (--lowbit-tile-search)
/// into `fields` (key, destination) after checking that it was chosen for
/// `target` ("cpu-avx2", "cuda"); the search's informative entries are
/// skipped, anything else (and a value that is negative or does not fit an
/// int) is a located error naming the `kind` ("CPU", "GPU") of schedule.
/// False when `op` has no schedule. Shared by the CPU and GPU translations.
mlir::FailureOr<bool>
readScheduleAttr(MatmulOp op, llvm::StringRef target, llvm::StringRef kind,
                 llvm::ArrayRef<std::pair<llvm::StringRef, int64_t *>> fields);

/// The CPU schedule recorded on `op` for `isa` (none without the attribute),
/// or a located error for a malformed one or one chosen for another target.
mlir::FailureOr<std::optional<cpu::CpuSchedule>>
readCpuSchedule(MatmulOp op, cpu::Isa isa);

/// Prints the C++ source of every function in `module` that holds exactly one
/// lowbit.matmul; the kernel takes the function's name.
/// Prints one kernel per function of `module` holding a lowbit.matmul,
/// made by `emit` from the matmul and the function's name; errors name
/// `emitterName` ("CPU", "GPU"). Shared by the CPU and GPU translations.
mlir::LogicalResult emitKernelPerFunction(
    mlir::Operation *module, llvm::raw_ostream &os,
    llvm::StringRef emitterName,
    llvm::function_ref<mlir::FailureOr<cpu::EmitResult>(MatmulOp,
                                                        llvm::StringRef)>
        emit);

mlir::LogicalResult
translateToCpu(mlir::Operation *module, llvm::raw_ostream &os, cpu::Isa isa,
               std::optional<cpu::CpuSchedule> schedule = std::nullopt);

/// Registers `--emit-cpu` (with `--cpu-isa=avx512|avx2|scalar`) for
/// lowbit-translate.
void registerToCpuTranslation();

} // namespace lowbit

#endif // LOWBIT_TARGET_CPU_TRANSLATETOCPU_H
