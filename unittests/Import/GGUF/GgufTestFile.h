//===- GgufTestFile.h - Writing GGUF files in memory for tests --*- C++ -*-===//
//
// A byte-level writer, so tests can build valid files and corrupt any field.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_UNITTESTS_IMPORT_GGUF_GGUFTESTFILE_H
#define LOWBIT_UNITTESTS_IMPORT_GGUF_GGUFTESTFILE_H

#include "lowbit/Import/Gguf.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lowbit::import::testing {

/// Appends little-endian fields to a byte string.
class GgufBytes {
public:
  template <typename T> GgufBytes &put(T value) {
    for (size_t i = 0; i < sizeof(T); ++i)
      bytes += char((uint64_t(value) >> (8 * i)) & 0xff);
    return *this;
  }
  GgufBytes &u8(uint8_t v) { return put(v); }
  GgufBytes &u32(uint32_t v) { return put(v); }
  GgufBytes &u64(uint64_t v) { return put(v); }
  /// A gguf_string_t.
  GgufBytes &str(const std::string &s) {
    u64(s.size());
    bytes += s;
    return *this;
  }
  GgufBytes &raw(const std::string &s) {
    bytes += s;
    return *this;
  }
  GgufBytes &raw(const std::vector<uint8_t> &data) {
    bytes.append(data.begin(), data.end());
    return *this;
  }
  /// The header: magic, version, tensor and metadata counts.
  GgufBytes &header(uint32_t version, uint64_t tensors, uint64_t pairs) {
    return raw("GGUF").u32(version).u64(tensors).u64(pairs);
  }
  /// A key with a uint32 value.
  GgufBytes &kvU32(const std::string &key, uint32_t value) {
    return str(key).u32(uint32_t(GgufValueType::UInt32)).u32(value);
  }
  /// A tensor info.
  GgufBytes &tensorInfo(const std::string &name,
                        const std::vector<uint64_t> &dims, uint32_t type,
                        uint64_t offset) {
    str(name).u32(dims.size());
    for (uint64_t dim : dims)
      u64(dim);
    return u32(type).u64(offset);
  }
  /// Zero bytes up to a multiple of `alignment`.
  GgufBytes &pad(size_t alignment) {
    while (bytes.size() % alignment)
      bytes += '\0';
    return *this;
  }

  std::string bytes;
};

/// One 2-D tensor [n rows of k elements] of ggml type `type` holding
/// `data`, in a minimal v3 file.
inline std::string singleTensorFile(const std::string &name, uint32_t type,
                                    uint64_t k, uint64_t n,
                                    const std::vector<uint8_t> &data) {
  GgufBytes file;
  file.header(3, 1, 0).tensorInfo(name, {k, n}, type, 0).pad(32).raw(data);
  return file.bytes;
}

inline llvm::MemoryBufferRef bufferOf(const std::string &bytes) {
  return llvm::MemoryBufferRef(bytes, "test.gguf");
}

/// The message of an error (consumed), or "success".
template <typename T> std::string messageOf(llvm::Expected<T> value) {
  if (value)
    return "success";
  return llvm::toString(value.takeError());
}

} // namespace lowbit::import::testing

#endif // LOWBIT_UNITTESTS_IMPORT_GGUF_GGUFTESTFILE_H
