//===- CpuPipeline.cpp - The CPU compilation pipeline ---------------------===//
//
// `--lowbit-cpu-pipeline{isa=...}` takes graph-level IR to the scheduled form
// `lowbit-translate --emit-cpu` prints: fuse dequantization into matmuls (with
// their element-wise consumers), then pack weights in the CPU layout, folding
// constant weights.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Dialect/Lowbit/Transforms/Transforms.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace {
struct CpuPipelineOptions : PassPipelineOptions<CpuPipelineOptions> {
  Option<std::string> isa{*this, "isa",
                          llvm::cl::desc("avx512, avx2 or scalar"),
                          llvm::cl::init("avx512")};
};
} // namespace

void lowbit::registerCpuPipeline() {
  PassPipelineRegistration<CpuPipelineOptions>(
      "lowbit-cpu-pipeline",
      "fuse dequantization and pack weights for lowbit-translate --emit-cpu",
      [](OpPassManager &pm, const CpuPipelineOptions &options) {
        pm.addPass(createCanonicalizerPass());
        pm.addPass(createLowbitFuseDequantPass());
        LowbitPackWeightsPassOptions pack;
        pack.target = "cpu";
        pack.isa = options.isa;
        pm.addPass(createLowbitPackWeightsPass(pack));
        pm.addPass(createCanonicalizerPass());
        pm.addPass(createCSEPass());
      });
}
