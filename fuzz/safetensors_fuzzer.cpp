//===- safetensors_fuzzer.cpp - libFuzzer target: the safetensors reader --===//
//
// Any byte string through lowbit::import::SafetensorsFile::parse: it must
// return a file or an error, never crash, hang, leak or read out of bounds.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Import/Safetensors.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::unique_ptr<llvm::MemoryBuffer> buffer = llvm::MemoryBuffer::getMemBufferCopy(
      llvm::StringRef(reinterpret_cast<const char *>(data), size),
      "fuzz.safetensors");
  llvm::Expected<lowbit::import::SafetensorsFile> file =
      lowbit::import::SafetensorsFile::parse(std::move(buffer));
  if (!file)
    llvm::consumeError(file.takeError());
  return 0;
}
