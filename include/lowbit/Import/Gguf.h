//===- Gguf.h - Reading llama.cpp GGUF checkpoints --------------*- C++ -*-===//
//
// GGUF (ggml's docs/gguf.md), versions 2 and 3, little-endian: a header
// (magic "GGUF", version, tensor count, metadata count), typed key/value
// metadata, tensor infos (name, dimensions ne0 first, ggml type, offset),
// padding to `general.alignment` (default 32), then the tensor data. The
// container reader checks every count, length and offset against the file
// before it allocates or reads, so a malformed or truncated file is an error
// naming the file and byte offset, never a crash. readGguf then maps the
// quantized 2-D tensors to QuantizedLinear with ggml's exact block semantics
// (docs/import.md). Plain C++ over LLVMSupport.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_IMPORT_GGUF_H
#define LOWBIT_IMPORT_GGUF_H

#include "lowbit/Import/Import.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace lowbit::import {

/// The value types of GGUF metadata (gguf_metadata_value_type).
enum class GgufValueType : uint32_t {
  UInt8 = 0,
  Int8 = 1,
  UInt16 = 2,
  Int16 = 3,
  UInt32 = 4,
  Int32 = 5,
  Float32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  UInt64 = 10,
  Int64 = 11,
  Float64 = 12,
};

/// The name of a value type ("uint32", "string", ...), or "unknown".
llvm::StringRef ggufValueTypeName(GgufValueType type);

/// One metadata value; the field of its type is set.
struct GgufValue {
  GgufValueType type = GgufValueType::UInt8;
  uint64_t unsignedValue = 0; ///< UInt8..UInt64, and Bool (0 or 1).
  int64_t signedValue = 0;    ///< Int8..Int64.
  double floatValue = 0;      ///< Float32, Float64 (exactly).
  std::string stringValue;    ///< String (bytes as stored, not checked).
  GgufValueType elementType = GgufValueType::UInt8; ///< Array.
  std::vector<GgufValue> elements;                  ///< Array.
};

/// A tensor info, with its data located in the file.
struct GgufTensor {
  std::string name;
  /// ne0 first: ne0 is the contiguous (innermost) dimension, so a 2-D
  /// weight W[N, K] has dims {K, N}.
  std::vector<int64_t> dims;
  uint32_t type = 0; ///< ggml_type.
  /// Relative to the start of the data section (a multiple of the
  /// alignment).
  uint64_t offset = 0;
  /// The tensor's bytes, inside the file's buffer.
  llvm::ArrayRef<uint8_t> data;
  /// Byte offset of the tensor info in the file, for messages.
  uint64_t infoOffset = 0;

  /// "[4096, 11008]" in ggml order (ne0 first).
  std::string dimsString() const;
};

/// A parsed GGUF container.
struct GgufFile {
  uint32_t version = 0;
  uint64_t alignment = 32;
  uint64_t dataOffset = 0; ///< Absolute offset of the tensor data section.
  std::vector<std::pair<std::string, GgufValue>> metadata;
  std::vector<GgufTensor> tensors;

  /// The value of a metadata key, or null.
  const GgufValue *lookup(llvm::StringRef key) const;
};

/// A ggml tensor type: elements per block and bytes per block.
struct GgmlTypeInfo {
  uint32_t id;
  const char *name; ///< "Q4_0", "F32", ...
  int64_t blockSize;
  int64_t typeSize;
};

/// The ggml type with this id (every type a GGUF file may name), or null.
const GgmlTypeInfo *lookupGgmlType(uint32_t id);

/// Parses the container in `buffer`, whose identifier names the file in
/// messages. Checks: the magic, version 2 or 3 (big-endian files are
/// refused), every count and length against the bytes left, value types,
/// unique keys and tensor names, `general.alignment` (a uint32 power of
/// two), at most 4 dimensions whose element count fits in int64, known
/// ggml types with ne0 a multiple of the block size, offsets that are
/// aligned and whose data lies inside the file.
llvm::Expected<GgufFile> parseGguf(llvm::MemoryBufferRef buffer);

/// What readGguf imports.
struct GgufReadOptions {
  /// Imports only the tensors whose name this accepts (all when empty);
  /// the others are neither imported nor reported as skipped.
  std::function<bool(llvm::StringRef)> select;
};

/// Reads the checkpoint in `buffer`: every 2-D tensor of a supported
/// quantized type becomes a QuantizedLinear whose codes and parameters
/// dequantize, in f32, to exactly what ggml's dequantize_row_* computes;
/// other tensors go to ImportedModel::skipped with the reason.
llvm::Expected<ImportedModel> readGguf(llvm::MemoryBufferRef buffer,
                                       const GgufReadOptions &options = {});

/// Reads the GGUF file at `path` (memory-mapped).
llvm::Expected<ImportedModel> readGguf(llvm::StringRef path,
                                       const GgufReadOptions &options = {});

} // namespace lowbit::import

#endif // LOWBIT_IMPORT_GGUF_H
