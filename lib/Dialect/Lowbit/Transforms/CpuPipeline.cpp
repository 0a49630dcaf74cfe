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
                          llvm::cl::desc("avx512, avx2, neon or scalar"),
                          llvm::cl::init("avx512")};
  Option<std::string> strategy{
      *this, "strategy",
      llvm::cl::desc("dequant, int8-dot, lut or auto (default: each "
                     "matmul's own strategy, else dequant)"),
      llvm::cl::init("")};
  Option<int64_t> lutGroup{
      *this, "lut-group",
      llvm::cl::desc("with strategy=lut: activations per table (1, 2, 4, 8)"),
      llvm::cl::init(4)};
  Option<bool> lutExact{
      *this, "lut-exact",
      llvm::cl::desc("with strategy=lut: keep the tables in f32"),
      llvm::cl::init(false)};
};
struct GpuPipelineOptions : PassPipelineOptions<GpuPipelineOptions> {
  Option<std::string> target{*this, "target", llvm::cl::desc("cuda or hip"),
                             llvm::cl::init("cuda")};
  Option<std::string> strategy{
      *this, "strategy",
      llvm::cl::desc("dequant, lut or auto (dequant) (default: each "
                     "matmul's own strategy, else dequant)"),
      llvm::cl::init("")};
};

void addPipeline(OpPassManager &pm,
                 const lowbit::LowbitPackWeightsPassOptions &pack,
                 const lowbit::LowbitLowerLutPassOptions *lut = nullptr) {
  // Fusion first: canonicalization would fold the dequantization of
  // constant weights into an f32 constant that no kernel can take. The
  // canonicalization after packing folds quantization and packing of
  // constant weights.
  pm.addPass(lowbit::createLowbitFuseDequantPass());
  // The lut strategy: --lowbit-lower-lut packs the matmuls it takes, with
  // its table options; packing then leaves them alone and rejects the
  // others.
  if (lut)
    pm.addPass(lowbit::createLowbitLowerLutPass(*lut));
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
        LowbitLowerLutPassOptions lut;
        lut.isa = options.isa;
        lut.group = options.lutGroup;
        lut.exact = options.lutExact;
        addPipeline(pm, pack,
                    options.strategy == "lut" ? &lut : nullptr);
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
        pack.strategy = options.strategy;
        addPipeline(pm, pack);
      });
}
