//===- pipeline_fuzzer.cpp - libFuzzer target: lowbit-opt's pipelines -----===//
//
// The first byte picks a pass pipeline lowbit-opt offers; the rest is parsed
// as a module and verified, and only a valid module goes through the
// pipeline. A pass may reject its input with a diagnostic; it must never
// crash, hang or leak.
//
//===----------------------------------------------------------------------===//

#include "FuzzContext.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>

namespace {
/// The pipelines of docs/passes.md, as lowbit-opt spells them.
constexpr const char *kPipelines[] = {
    "builtin.module(lowbit-cpu-pipeline{isa=avx512})",
    "builtin.module(lowbit-cpu-pipeline{isa=avx2})",
    "builtin.module(lowbit-cpu-pipeline{isa=scalar})",
    "builtin.module(lowbit-gpu-pipeline{target=cuda})",
    "builtin.module(lowbit-gpu-pipeline{target=hip})",
    "builtin.module(lowbit-fuse-dequant,canonicalize,cse)",
    "builtin.module(lowbit-pack-weights{target=cpu isa=avx2})",
    "builtin.module(lowbit-tile-search{target=cpu-avx2},"
    "lowbit-cpu-pipeline{isa=avx2})",
};
constexpr size_t kNumPipelines = sizeof(kPipelines) / sizeof(kPipelines[0]);
} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  lowbit::registerAllPasses();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  const char *pipeline = kPipelines[data[0] % kNumPipelines];
  lowbit::fuzz::FuzzContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module = context.parse(
      llvm::StringRef(reinterpret_cast<const char *>(data) + 1, size - 1));
  if (!module)
    return 0;
  mlir::PassManager pm(&context.get());
  if (mlir::failed(mlir::parsePassPipeline(pipeline, pm, llvm::nulls())))
    __builtin_trap(); // The table above names a pipeline that does not exist.
  (void)pm.run(*module);
  return 0;
}
