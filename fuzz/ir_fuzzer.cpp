//===- ir_fuzzer.cpp - libFuzzer target: lowbit IR parser and verifier ----===//
//
// Any byte string parsed as a module with lowbit-opt's dialects and
// verified; a valid module is printed back. Bad IR must get a diagnostic,
// never a crash, hang, leak or out-of-bounds access.
//
//===----------------------------------------------------------------------===//

#include "FuzzContext.h"

#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lowbit::fuzz::FuzzContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module = context.parse(
      llvm::StringRef(reinterpret_cast<const char *>(data), size));
  if (!module)
    return 0;
  // The printers of every type, attribute and op of a verified module.
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return 0;
}
