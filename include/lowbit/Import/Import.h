//===- Import.h - Quantized checkpoints to lowbit -------------*- C++ -*-===//
//
// The common currency of lowbit's importers: every reader (GGUF, GPTQ/AWQ
// safetensors) turns a checkpoint's quantized linear weights into
// QuantizedLinear values with exact semantics (the codes and group
// parameters dequantize, through the numerics library, to the values the
// file format defines), and buildImportModule turns those into a lowbit
// module that lowbit-opt, lowbit-translate and lowbit-compile take.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_IMPORT_IMPORT_H
#define LOWBIT_IMPORT_IMPORT_H

#include "lowbit/Numerics/Format.h"
#include "lowbit/Numerics/Quantize.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lowbit::import {

/// One linear layer's weight W[N, K] (N output features, K input features),
/// quantized with groups [1, G] along K: `weight[n][k]` is
/// `dequantize(codes[n * K + k])` by `scheme` and `params` (numerics
/// library semantics, docs/numerics.md).
struct QuantizedLinear {
  /// The tensor's name in the file ("blk.0.attn_q.weight",
  /// "model.layers.0.self_attn.q_proj").
  std::string name;
  numerics::Format format = numerics::Format::signedInt(4);
  /// groupShape {1, G}; scale type, zero-point mode and tensor scale as the
  /// file defines them.
  numerics::Scheme scheme;
  int64_t n = 0, k = 0;
  /// Row-major [N, K] raw codes (each below 2^format.bits()).
  std::vector<uint8_t> codes;
  /// Group parameters, row-major [N, K / G], values exactly representable
  /// in scheme.scaleType (zeros: integral for ZeroPointMode::Integer).
  numerics::QuantParams params;
  /// Empty, or K entries: input feature k of the stored weight multiplies
  /// activation column inputPermutation[k] (GPTQ act-order checkpoints,
  /// whose groups are contiguous only after reordering K).
  std::vector<int64_t> inputPermutation;
  /// Where the tensor came from, for messages: "file.gguf: tensor 3".
  std::string origin;
};

/// What an importer read from one checkpoint.
struct ImportedModel {
  std::string source; ///< The file path.
  std::vector<QuantizedLinear> linears;
  /// Tensors the importer skipped (not quantized, or not a 2-D linear
  /// weight), with the reason, for the tool's report.
  std::vector<std::pair<std::string, std::string>> skipped;
};

} // namespace lowbit::import

#endif // LOWBIT_IMPORT_IMPORT_H
