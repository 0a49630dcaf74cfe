//===- GgmlBlocks.h - ggml blocks as codes and parameters ------*- C++ -*-===//
//
// Each supported ggml block type as a lowbit element format, group size,
// scale type and zero-point mode, with a decoder that splits one block into
// its codes (in element order) and the effective parameters of its groups,
// such that numerics::dequantize computes what ggml's dequantize_row_*
// computes in f32. The formulas are in docs/import.md.
//
//===----------------------------------------------------------------------===//

#ifndef LIB_IMPORT_GGUF_GGMLBLOCKS_H
#define LIB_IMPORT_GGUF_GGMLBLOCKS_H

#include "lowbit/Numerics/Format.h"
#include "lowbit/Numerics/Quantize.h"

#include <cstdint>
#include <optional>

namespace lowbit::import {

/// Decodes one block: its codes, then one scale and (for the Integer and
/// Float zero-point modes) one zero per group.
using GgmlBlockDecodeFn = void (*)(const uint8_t *block, uint8_t *codes,
                                   double *scales, double *zeros);

/// How the blocks of one ggml type map to lowbit numerics.
struct GgmlBlockMapping {
  numerics::Format format;
  numerics::ScaleType scaleType = numerics::ScaleType::F16;
  numerics::ZeroPointMode zeroPoint = numerics::ZeroPointMode::None;
  int64_t groupSize = 32; ///< Divides the type's block size.
  GgmlBlockDecodeFn decode = nullptr;
};

/// The mapping of a ggml type, or nullopt for types lowbit does not import.
std::optional<GgmlBlockMapping> getGgmlBlockMapping(uint32_t type);

} // namespace lowbit::import

#endif // LIB_IMPORT_GGUF_GGMLBLOCKS_H
