//===- ModelCompiler.h - A model module to a kernel library ---*- C++ -*-===//
//
// lowbit-compile's engine: runs the target's pipeline over a model module,
// gives every distinct lowbit.matmul one kernel (layers with the same shape,
// formats and epilogue share it), and writes a library folder: the kernel
// sources, a C header, each layer's constant operands as binary files in
// the kernels' ABI, a JSON manifest, and a CMakeLists.txt
// (docs/lowbit-compile.md).
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_COMPILE_MODELCOMPILER_H
#define LOWBIT_COMPILE_MODELCOMPILER_H

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Target/CPU/CpuKernel.h"
#include "lowbit/Target/GPU/GpuKernel.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <optional>
#include <string>
#include <vector>

namespace lowbit::compile {

enum class Target { CPU, CUDA, HIP };
std::optional<Target> parseTarget(llvm::StringRef name);
const char *targetName(Target target);

struct Options {
  Target target = Target::CPU;
  cpu::Isa isa = cpu::Isa::AVX2; ///< CPU kernels.
  /// CPU kernels: dequant, int8-dot, lut or auto for every layer (the
  /// pipeline's `strategy`); empty keeps each matmul's own, else dequant.
  std::string cpuStrategy;
  std::string gpuArch;           ///< sm_90a / gfx90a; empty: the default.
  std::optional<gpu::TileConfig> gpuTile; ///< Overrides the GPU heuristic.
  /// When set, --lowbit-tile-search runs after the target's pipeline with
  /// these options (hardware=..., objective=..., db=..., m=...; the target
  /// is filled in) and each kernel takes the schedule it records.
  std::optional<std::string> tileSearch;
};

/// One operand of a layer's kernel call other than the activations and the
/// output: a constant of the module (written to a file) or a value the
/// caller supplies at run time.
struct LayerOperand {
  std::string role;  ///< weights, scales, zeros, neg_scales, bias, epilogue.N
  std::string dtype; ///< The ABI element type: u32, f32, f16, bf16, e8m0,
                     ///< e4m3, u8, i8 ... (docs/lowbit-compile.md).
  std::vector<int64_t> shape;
  /// Constant operands: the bytes the kernel reads, little-endian.
  std::optional<std::vector<uint8_t>> bytes;
  /// What produces a run-time operand ("argument 2 of @forward", "the
  /// result of lowbit.matmul at model.mlir:12:8").
  std::string producer;
};

/// One lowbit.matmul of the model.
struct Layer {
  std::string name;     ///< Unique, a C identifier: the function's name,
                        ///< with "_N" when a function holds several.
  std::string function; ///< The enclosing func.func.
  std::string location; ///< file:line:col of the op.
  unsigned kernel = 0;  ///< Index into CompiledModel::kernels.
  std::vector<LayerOperand> operands;
  std::optional<double> tensorScale; ///< A constant two-level scale.
  MatmulOp op; ///< In the scheduled module (for the runner).
};

/// One emitted kernel, shared by every layer with the same specification.
struct Kernel {
  std::string name;
  std::string source;      ///< Self-contained C++ / CUDA / HIP.
  std::string declaration; ///< The header's prototypes, with comments.
  std::string summary;     ///< "int4 [4096, 4096] g128 f16 scales ..."
  cpu::KernelSpec cpu;     ///< Target::CPU.
  std::optional<gpu::KernelSpec> gpu;
  std::vector<unsigned> layers;
};

struct CompiledModel {
  Options options;
  std::vector<Kernel> kernels;
  std::vector<Layer> layers;
};

/// Runs the target's pipeline over `module` in place (its constant weights
/// are packed for the target) and collects the kernels and layers. Errors
/// are emitted as diagnostics located at the offending op.
mlir::FailureOr<CompiledModel> compileModule(mlir::ModuleOp module,
                                             const Options &options);

/// Writes the library folder `dir` (created if missing): kernels.cpp /
/// kernels.cu / kernels.hip, lowbit_model.h, weights/*.bin, manifest.json
/// and CMakeLists.txt. Returns a sentence on failure, "" on success.
std::string writeLibrary(const CompiledModel &model, llvm::StringRef dir);

/// The file names writeLibrary uses.
std::string sourceFileName(Target target);
std::string weightFileName(const Layer &layer, const LayerOperand &operand);

} // namespace lowbit::compile

#endif // LOWBIT_COMPILE_MODELCOMPILER_H
