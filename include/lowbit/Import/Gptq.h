//===- Gptq.h - GPTQ and AWQ safetensors checkpoints to lowbit --*- C++ -*-===//
//
// Reads the quantized linear layers of a GPTQ (AutoGPTQ / GPTQModel, formats
// "gptq" and "gptq_v2") or AWQ (AutoAWQ GEMM) checkpoint stored as
// safetensors: every layer `<prefix>.qweight` with `.qzeros`, `.scales` and,
// for GPTQ, an optional `.g_idx` becomes a QuantizedLinear whose codes, f16
// scales and integer zero points dequantize, through the numerics library,
// to the weights those packages compute. docs/import.md gives the layouts.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_IMPORT_GPTQ_H
#define LOWBIT_IMPORT_GPTQ_H

#include "lowbit/Import/Import.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <optional>

namespace lowbit::import {

/// The packing and zero-point convention of a checkpoint.
enum class QuantCheckpointFormat {
  /// Chosen from the configuration (quant_method, checkpoint_format), else
  /// from the tensor shapes (GPTQ v1 when a layer looks like GPTQ).
  Auto,
  /// AutoGPTQ "gptq" (v1): stored zero points are z - 1.
  Gptq,
  /// GPTQModel "gptq_v2": stored zero points are z.
  GptqV2,
  /// AutoAWQ GEMM: packed along N in the order 0, 2, 4, 6, 1, 3, 5, 7.
  Awq,
};

/// Parses "auto", "gptq", "gptq_v2", "awq".
std::optional<QuantCheckpointFormat>
parseQuantCheckpointFormat(llvm::StringRef name);
llvm::StringRef quantCheckpointFormatName(QuantCheckpointFormat format);

struct GptqOptions {
  /// Overrides the format the configuration gives.
  QuantCheckpointFormat format = QuantCheckpointFormat::Auto;
  /// Imports only the layers (by prefix, "model.layers.0.mlp.up_proj") this
  /// accepts (all when empty); the others, and the unused tensors it
  /// rejects, are neither imported nor reported as skipped.
  std::function<bool(llvm::StringRef)> select;
};

/// Reads a GPTQ or AWQ checkpoint: `path` is one .safetensors file or a
/// directory of them (all its *.safetensors files, shards of one model). The
/// configuration is taken from quantize_config.json, quant_config.json or
/// config.json's "quantization_config", in that order, next to the files;
/// without one, format, bit width and group size follow from the shapes.
/// Layers come out sorted by name (numbers in names compared as numbers);
/// every other tensor is listed in `skipped`. Errors name the file or layer.
llvm::Expected<ImportedModel> readGptqCheckpoint(llvm::StringRef path,
                                                 const GptqOptions &options);

} // namespace lowbit::import

#endif // LOWBIT_IMPORT_GPTQ_H
