//===- Driver.h - The Python package's calls into the compiler --*- C++ -*-===//
//
// The part of the Python extension that uses LLVM and MLIR: reading
// checkpoints with the importers and compiling modules into CPU kernel
// libraries. It is built like the rest of lowbit (LLVM's flags, no
// exceptions) and speaks only plain C++ types, so the pybind11 bindings,
// built with exceptions, never include an LLVM or MLIR header. Every call
// returns "" on success or the compiler's message (a full sentence, with
// the diagnostics it emitted) on failure.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_PYTHON_DRIVER_H
#define LOWBIT_PYTHON_DRIVER_H

#include "lowbit/Import/Import.h"

#include <string>

namespace lowbit::python {

/// Reads the GGUF file at `path` into `model` (readGguf).
std::string readGgufFile(const std::string &path, import::ImportedModel &model);

/// Reads a GPTQ/AWQ safetensors file or folder into `model`
/// (readGptqCheckpoint); `format` is auto, gptq, gptq_v2 or awq.
std::string readGptqCheckpointAt(const std::string &path,
                                 const std::string &format,
                                 import::ImportedModel &model);

/// How the package compiles for the CPU (lowbit-compile's flags).
struct CpuCompileOptions {
  std::string isa = "avx2"; ///< avx512, avx2, scalar.
  /// dequant, int8-dot, lut, bf16-dot, auto; empty: each matmul's own, else
  /// dequant.
  std::string strategy;
  /// Empty: every kernel takes its emitter's default schedule. Else the
  /// tile search's objective (latency, energy, edp, energy-within=P;
  /// docs/tuning.md) on the probed CPU, for `tuneRows` rows of activations,
  /// as `lowbit-compile --tune=model`.
  std::string objective;
  int64_t tuneRows = 1;
};

/// Builds the module of `model`'s linears (buildImportModule, activations
/// of type `activation`: f16, bf16 or f32; M dynamic), compiles it for the
/// CPU as `options` say and writes the library folder `dir`
/// (compileModule, writeLibrary).
std::string compileLinears(const import::ImportedModel &model,
                           const std::string &activation,
                           const CpuCompileOptions &options,
                           const std::string &dir);

/// Parses the MLIR module in the file `path`, compiles it for the CPU as
/// `options` say and writes the library folder `dir`, as `lowbit-compile`
/// does.
std::string compileModelFile(const std::string &path,
                             const CpuCompileOptions &options,
                             const std::string &dir);

/// "" when this CPU runs `isa` kernels of `strategy` (names as the
/// manifest spells them), else a sentence naming the missing features and
/// the widest ISA it runs; sets `error` for unknown names.
std::string missingCpuFeatures(const std::string &isa,
                               const std::string &strategy, std::string &error);

/// The compiler flags of a CPU ISA ("-mavx2 -mfma ..."); sets `error` for
/// an unknown name.
std::string isaFlags(const std::string &isa, std::string &error);

} // namespace lowbit::python

#endif // LOWBIT_PYTHON_DRIVER_H
