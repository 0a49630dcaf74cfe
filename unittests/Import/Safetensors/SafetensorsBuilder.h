//===- SafetensorsBuilder.h - Write safetensors files in tests --*- C++ -*-===//
//
// Builds the bytes of safetensors files (well-formed or deliberately broken)
// and temporary checkpoint directories for the importer's unit tests.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_UNITTESTS_IMPORT_SAFETENSORS_SAFETENSORSBUILDER_H
#define LOWBIT_UNITTESTS_IMPORT_SAFETENSORS_SAFETENSORSBUILDER_H

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace lowbit::import::testing {

/// A tensor to write: its bytes are stored as given.
struct TestTensor {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  std::string bytes;
};

/// Little-endian bytes of integer or float values.
template <typename T> std::string bytesOf(const std::vector<T> &values) {
  std::string bytes(values.size() * sizeof(T), '\0');
  for (size_t i = 0; i < values.size(); ++i) {
    T value = values[i];
    if constexpr (std::is_integral_v<T>)
      value = llvm::support::endian::byte_swap(value, llvm::endianness::little);
    std::memcpy(&bytes[i * sizeof(T)], &value, sizeof(T));
  }
  return bytes;
}

/// A file of the 8-byte header length, `header` and `data`.
inline std::string rawSafetensors(llvm::StringRef header,
                                  llvm::StringRef data) {
  std::string bytes(8, '\0');
  llvm::support::endian::write64le(bytes.data(), header.size());
  return bytes + header.str() + data.str();
}

/// A well-formed file holding `tensors` one after another.
inline std::string
encodeSafetensors(const std::vector<TestTensor> &tensors,
                  const std::map<std::string, std::string> &metadata = {}) {
  llvm::json::Object header;
  std::string data;
  for (const TestTensor &tensor : tensors) {
    llvm::json::Array shape;
    for (int64_t dim : tensor.shape)
      shape.push_back(dim);
    header[tensor.name] = llvm::json::Object{
        {"dtype", tensor.dtype},
        {"shape", std::move(shape)},
        {"data_offsets",
         llvm::json::Array{int64_t(data.size()),
                           int64_t(data.size() + tensor.bytes.size())}}};
    data += tensor.bytes;
  }
  if (!metadata.empty()) {
    llvm::json::Object entries;
    for (const auto &[key, value] : metadata)
      entries[key] = value;
    header["__metadata__"] = std::move(entries);
  }
  std::string text;
  llvm::raw_string_ostream(text) << llvm::json::Value(std::move(header));
  return rawSafetensors(text, data);
}

/// A temporary directory removed at the end of the test.
class TempDir {
public:
  TempDir() {
    std::error_code ec =
        llvm::sys::fs::createUniqueDirectory("lowbit-safetensors", path);
    EXPECT_FALSE(ec) << ec.message();
  }
  ~TempDir() { llvm::sys::fs::remove_directories(path); }

  /// Writes `bytes` to the file `name` inside the directory; returns its
  /// path.
  std::string write(llvm::StringRef name, llvm::StringRef bytes) const {
    std::string file = join(name);
    std::error_code ec;
    llvm::raw_fd_ostream out(file, ec);
    EXPECT_FALSE(ec) << ec.message();
    out << bytes;
    return file;
  }
  std::string join(llvm::StringRef name) const {
    llvm::SmallString<256> file(path);
    llvm::sys::path::append(file, name);
    return std::string(file);
  }
  std::string str() const { return std::string(path); }

private:
  llvm::SmallString<256> path;
};

} // namespace lowbit::import::testing

#endif // LOWBIT_UNITTESTS_IMPORT_SAFETENSORS_SAFETENSORSBUILDER_H
