//===- Transforms.h - lowbit rewrite entry points ---------------*- C++ -*-===//
//
// The rewrites behind the lowbit passes, as patterns and as functions on a
// RewriterBase, so that other passes and tests can reuse them.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_TRANSFORMS_H
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_TRANSFORMS_H

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Target/CPU/CpuKernel.h"
#include "lowbit/Tune/Search.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace lowbit {

/// Replaces the contraction `op`, one of whose inputs is a single-use 2-D
/// `lowbit.dequantize` indexed as weights ((k, n) or (n, k)), by one
/// `lowbit.matmul` on the quantized codes. A non-zero init becomes an epilogue
/// operand added to the accumulator; vector activations ([K]) are expanded to
/// one row and the result collapsed back. Returns the new matmul.
mlir::FailureOr<MatmulOp>
fuseDequantizeIntoContraction(mlir::RewriterBase &rewriter,
                              mlir::linalg::LinalgOp op);

/// Folds the only user of `matmul`'s result, an element-wise linalg op with
/// a scalar `arith`/`math` body (seen through the collapse that drops the unit
/// row of a matrix-vector product), into the matmul's epilogue, after its
/// current epilogue. The other tensors the consumer's body reads (inputs, and
/// the init if the body reads it), with the identity map or broadcast along
/// rows, become epilogue operands. Returns the new matmul, which replaces
/// both.
mlir::FailureOr<MatmulOp>
fuseElementwiseIntoEpilogue(mlir::RewriterBase &rewriter, MatmulOp matmul);

/// Adds the patterns of `--lowbit-fuse-dequant`: the two rewrites above.
void populateFuseDequantPatterns(mlir::RewritePatternSet &patterns);

/// The CPU storage layout for weights of `weightType` on `isa` with
/// `strategy`: `#lowbit.layout<bits = b, word = 32, aligned, lanes = L>` for
/// dequant, `#lowbit.layout<bits = b, word = 8, aligned, lanes = 32>` for
/// int8-dot.
mlir::FailureOr<LayoutAttr>
chooseCpuWeightLayout(mlir::Type weightType, cpu::Isa isa,
                      cpu::Strategy strategy = cpu::Strategy::Dequant);

/// The CPU kernel generator's name of a dialect strategy, and back.
cpu::Strategy toCpuStrategy(Strategy strategy);
Strategy fromCpuStrategy(cpu::Strategy strategy);

/// The matmul's own strategy (absent: dequant) and lut table options
/// (`#lowbit.lut`), as `spec` records them.
void setSpecStrategy(MatmulOp op, cpu::KernelSpec &spec);

/// The CPU strategy for `op` on `isa`: `requested` (dequant, int8-dot, lut,
/// or auto for the heuristic of docs/passes.md), or when it is empty the
/// op's own `strategy` attribute, else dequant. Emits an error on `op` and
/// fails for an unknown name or a strategy that cannot take the op.
mlir::FailureOr<cpu::Strategy> chooseCpuStrategy(MatmulOp op, cpu::Isa isa,
                                                 llvm::StringRef requested);

/// The GPU weight layout (gpu::weightLayout) for codes of `weightType` and
/// `strategy` (dequant: the pair-interleaved words; lut: bit planes).
mlir::FailureOr<LayoutAttr>
chooseGpuWeightLayout(mlir::Type weightType,
                      cpu::Strategy strategy = cpu::Strategy::Dequant);

/// Sets the `strategy` of every unpacked [N, K] matmul under `root` for GPU
/// kernels: `requested` dequant (or auto, which picks dequant: GPU lut
/// kernels have not been measured) clears it, lut sets it where the GPU lut
/// kernel takes the op; empty keeps each op's own. Fails after emitting an
/// error for an unknown name, int8-dot, or a matmul lut cannot take.
mlir::LogicalResult assignGpuStrategies(mlir::Operation *root,
                                        llvm::StringRef requested);

/// Packs the [N, K] weights of `op` with `layout` through lowbit.pack
/// (folding constant weights) and turns `op` into its scheduled form.
mlir::FailureOr<MatmulOp> packMatmulWeights(mlir::RewriterBase &rewriter,
                                            MatmulOp op, LayoutAttr layout);

/// Adds the pattern of `--lowbit-pack-weights` for CPU `isa`.
void populatePackWeightsPatterns(mlir::RewritePatternSet &patterns,
                                 cpu::Isa isa);

/// Sets the `strategy` of every unpacked [N, K] matmul under `root` to
/// chooseCpuStrategy(op, isa, requested) (nothing when `requested` is
/// empty); the patterns of populatePackWeightsPatterns then pack each in
/// its strategy's layout. Fails after emitting an error on a matmul that
/// the requested strategy cannot take.
mlir::LogicalResult assignCpuStrategies(mlir::Operation *root, cpu::Isa isa,
                                        llvm::StringRef requested);

/// Packs weights in the GPU layout of each matmul's strategy (CUDA and HIP
/// kernels share it).
void populateGpuPackWeightsPatterns(mlir::RewritePatternSet &patterns);

/// The cost model's description of `op`: shapes, weight format, scheme and
/// activation type; M from the activations' shape, or `defaultM` when that
/// is dynamic. A located error when the op has dynamic N or K, or no M.
mlir::FailureOr<tune::Problem> getTuneProblem(MatmulOp op, int64_t defaultM);

/// The `lowbit.schedule` dictionary recording `candidate` for `target`.
mlir::DictionaryAttr makeScheduleAttr(mlir::MLIRContext *context,
                                      const tune::Target &target,
                                      const tune::Candidate &candidate,
                                      llvm::StringRef objective,
                                      llvm::StringRef source);

void registerCpuPipeline();
void registerGpuPipeline();

} // namespace lowbit

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_TRANSFORMS_H
