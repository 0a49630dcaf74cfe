//===- CpuPipeline.cpp - The CPU compilation pipeline ---------------------===//
//
// `--lowbit-cpu-pipeline{isa=...}` and `--lowbit-gpu-pipeline{target=...}`
// take graph-level IR to the scheduled form `lowbit-translate --emit-cpu`
// (`--emit-cuda`, `--emit-hip`) prints: fuse dequantization into matmuls
// (with their element-wise consumers), then pack weights in the target's
// layout, folding constant weights.
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
  Option<std::string> strategy{
      *this, "strategy",
      llvm::cl::desc("dequant, int8-dot, lut or auto (default: each "
                     "matmul's own strategy, else dequant)"),
      llvm::cl::init("")};
};
struct GpuPipelineOptions : PassPipelineOptions<GpuPipelineOptions> {
  Option<std::string> target{*this, "target", llvm::cl::desc("cuda or hip"),
                             llvm::cl::init("cuda")};
};

void addPipeline(OpPassManager &pm,
                 const lowbit::LowbitPackWeightsPassOptions &pack) {
  // Fusion first: canonicalization would fold the dequantization of
  // constant weights into an f32 constant that no kernel can take. The
  // canonicalization after packing folds quantization and packing of
  // constant weights.
  pm.addPass(lowbit::createLowbitFuseDequantPass());
  pm.addPass(lowbit::createLowbitPackWeightsPass(pack));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}
} // namespace

void lowbit::registerCpuPipeline() {
  PassPipelineRegistration<CpuPipelineOptions>(
      "lowbit-cpu-pipeline",
      "fuse dequantization and pack weights for lowbit-translate --emit-cpu",
      [](OpPassManager &pm, const CpuPipelineOptions &options) {
        LowbitPackWeightsPassOptions pack;
        pack.target = "cpu";
        pack.isa = options.isa;
        pack.strategy = options.strategy;
        addPipeline(pm, pack);
      });
}

void lowbit::registerGpuPipeline() {
  PassPipelineRegistration<GpuPipelineOptions>(
      "lowbit-gpu-pipeline",
      "fuse dequantization and pack weights for lowbit-translate --emit-cuda "
      "and --emit-hip",
      [](OpPassManager &pm, const GpuPipelineOptions &options) {
        LowbitPackWeightsPassOptions pack;
        pack.target = options.target;
        addPipeline(pm, pack);
      });
}
