//===- Safetensors.h - A validating safetensors reader ----------*- C++ -*-===//
//
// The safetensors container (Hugging Face): an 8-byte little-endian header
// length N, N bytes of JSON mapping tensor names to {dtype, shape,
// data_offsets} (plus an optional "__metadata__" object of strings), then the
// data section, which data_offsets index relative to its start. The reader
// memory-maps the file and checks everything a later access relies on: the
// header fits in the file, every dtype is known, shapes do not overflow, every
// tensor's byte range matches its shape and dtype, lies inside the data
// section and overlaps no other tensor. Plain C++ over LLVMSupport.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_IMPORT_SAFETENSORS_H
#define LOWBIT_IMPORT_SAFETENSORS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lowbit::import {

/// The element types of the safetensors format that lowbit reads.
enum class SafetensorsDType {
  Bool,
  U8,
  I8,
  I16,
  U16,
  I32,
  U32,
  I64,
  U64,
  F16,
  BF16,
  F32,
  F64,
  F8E4M3,
  F8E5M2,
};

/// Parses a dtype as the header spells it ("I32", "BF16", "F8_E4M3", ...).
std::optional<SafetensorsDType> parseSafetensorsDType(llvm::StringRef name);
/// The header spelling of a dtype.
llvm::StringRef safetensorsDTypeName(SafetensorsDType dtype);
/// Bytes per element (1, 2, 4 or 8).
unsigned safetensorsDTypeSize(SafetensorsDType dtype);

/// One tensor of a parsed file. `data` points into the file's buffer and has
/// exactly numElements * dtype size bytes (little-endian elements, any
/// alignment).
struct SafetensorsTensor {
  std::string name;
  SafetensorsDType dtype = SafetensorsDType::U8;
  std::vector<int64_t> shape;
  uint64_t numElements = 0;
  /// Offsets of the data relative to the start of the data section.
  uint64_t begin = 0, end = 0;
  llvm::ArrayRef<uint8_t> data;

  /// Element `i` (< numElements) of a tensor of dtype I32 or U32, as the
  /// 32-bit word stored.
  uint32_t word32(uint64_t i) const;
  /// Element `i` of an integer tensor (any integer dtype or BOOL), widened.
  int64_t integer(uint64_t i) const;
  /// Element `i` of a floating-point tensor (F16, BF16, F32, F64), exactly.
  double real(uint64_t i) const;
  /// "[4, 8]".
  std::string shapeString() const;
};

/// A parsed, validated safetensors file. Owns the (memory-mapped) buffer that
/// the tensors point into.
class SafetensorsFile {
public:
  /// Maps and parses the file at `path`. Every error message starts with the
  /// path.
  static llvm::Expected<SafetensorsFile> open(llvm::StringRef path);
  /// Parses a buffer; messages start with the buffer's identifier.
  static llvm::Expected<SafetensorsFile>
  parse(std::unique_ptr<llvm::MemoryBuffer> buffer);

  /// The path or buffer identifier.
  llvm::StringRef path() const { return buffer->getBufferIdentifier(); }
  /// The "__metadata__" entries.
  const std::map<std::string, std::string> &metadata() const {
    return metadataEntries;
  }
  /// All tensors, in the order of their data in the file.
  llvm::ArrayRef<SafetensorsTensor> tensors() const { return tensorList; }
  /// The tensor called `name`, or null.
  const SafetensorsTensor *lookup(llvm::StringRef name) const;

private:
  SafetensorsFile() = default;

  std::unique_ptr<llvm::MemoryBuffer> buffer;
  std::map<std::string, std::string> metadataEntries;
  std::vector<SafetensorsTensor> tensorList;
  llvm::StringMap<size_t> byName;
};

/// The largest header accepted, as the reference implementation: 100 MB.
constexpr uint64_t kMaxSafetensorsHeaderSize = 100'000'000;

} // namespace lowbit::import

#endif // LOWBIT_IMPORT_SAFETENSORS_H
