//===- gguf_fuzzer.cpp - libFuzzer target: the GGUF reader ----------------===//
//
// Any byte string through lowbit::import::readGguf: it must return a model
// or an error, never crash, hang, leak or read out of bounds.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Import/Gguf.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::MemoryBufferRef buffer(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz.gguf");
  llvm::Expected<lowbit::import::ImportedModel> model =
      lowbit::import::readGguf(buffer);
  if (!model)
    llvm::consumeError(model.takeError());
  return 0;
}
