//===- TranslateToGpu.cpp - Scheduled lowbit IR to CUDA / HIP C++ ---------===//
//
// Turns a scheduled lowbit.matmul into a gpu::KernelSpec (the epilogue region
// printed by the same printer as CPU kernels) and prints the kernels of a
// module as one CUDA or HIP source file.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/GPU/TranslateToGpu.h"

#include "lowbit/Dialect/Lowbit/IR/ElementFormat.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Dialect/Lowbit/Transforms/Transforms.h"
#include "lowbit/InitAll.h"
#include "lowbit/Target/CPU/TranslateToCpu.h"

#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"

using namespace mlir;
using namespace lowbit;

FailureOr<gpu::KernelSpec>
lowbit::getGpuKernelSpec(MatmulOp op, gpu::Target target, StringRef name,
                         std::optional<gpu::TileConfig> tile) {
  const char *targetName = gpu::targetName(target);
  gpu::KernelSpec spec;
  spec.name = name.str();
  spec.target = target;
  LayoutAttr layout = op.getLayoutAttr();
  if (!layout)
    return op.emitOpError("has unpacked weights; run --lowbit-pack-weights="
                          "\"target=")
           << targetName << "\" before emitting GPU code";
  if (!op.getTransposeB())
    return op.emitOpError("packed weights must be stored [N, K] "
                          "(transpose_b)");
  std::optional<numerics::Format> format =
      getElementFormat(*op.getWeightType());
  if (!format)
    return op.emitOpError("has no numerics format for weight type ")
           << *op.getWeightType();
  spec.weight = *format;
  spec.strategy = toCpuStrategy(op.getStrategy().value_or(Strategy::Dequant));
  if (std::string error = gpu::strategyError(spec.strategy); !error.empty())
    return op.emitOpError(error);
  bool lut = spec.strategy == cpu::Strategy::Lut;
  if (LutAttr options = op.getLutAttr(); options && options.getGroup() != 4)
    return op.emitOpError("GPU lut kernels build tables of 4 activations, "
                          "not ")
           << options.getGroup();
  numerics::PackLayout expected =
      gpu::weightLayout(format->bits(), spec.strategy);
  numerics::PackLayout actual = getNumericsLayout(layout);
  if (actual != expected)
    return op.emitOpError("weights are packed as ")
           << layout << ", not in the GPU " << (lut ? "lut " : "")
           << "layout; run --lowbit-pack-weights=\"target=" << targetName
           << (lut ? " strategy=lut" : "") << "\"";
  std::optional<cpu::ScalarType> act =
      getScalarType(op.getInput().getType().getElementType());
  std::optional<cpu::ScalarType> out =
      getScalarType(op.getResult().getType().getElementType());
  if (!act || *act == cpu::ScalarType::F32 || !out)
    return op.emitOpError("GPU kernels take f16 or bf16 activations and f32, "
                          "f16 or bf16 results");
  spec.activation = *act;
  spec.output = *out;
  if (!op.getAccumulatorType().isF32())
    return op.emitOpError("GPU kernels accumulate in f32, not ")
           << op.getAccumulatorType();
  if (op.getEpilogueBlock()) {
    FailureOr<cpu::Epilogue> epilogue = printEpilogue(op);
    if (failed(epilogue))
      return failure();
    spec.epilogue = std::move(*epilogue);
  }
  spec.n = op.getOutputSize();
  spec.k = op.getReductionSize();
  if (ShapedType::isDynamic(spec.n) || ShapedType::isDynamic(spec.k))
    return op.emitOpError("GPU kernels need static N and K");
  spec.scheme = getNumericsScheme(op.getScheme());
  spec.bias = static_cast<bool>(op.getBias());
  std::string error = gpu::verifyKernelSpec(spec);
  if (!error.empty())
    return op.emitOpError("cannot be emitted for ")
           << targetName << ": " << error;
  if (tile) {
    spec.tile = tile;
    return spec;
  }
  FailureOr<std::optional<gpu::TileConfig>> chosen =
      readGpuSchedule(op, target);
  if (failed(chosen))
    return failure();
  spec.tile = *chosen;
  error = gpu::verifyKernelSpec(spec);
  if (!error.empty())
    return op.emitOpError("the recorded schedule cannot be emitted: ")
           << error;
  return spec;
}

FailureOr<std::optional<gpu::TileConfig>>
lowbit::readGpuSchedule(MatmulOp op, gpu::Target target) {
  gpu::TileConfig tile;
  int64_t tilesN = tile.tilesN, warpsN = tile.warpsN, warpsK = tile.warpsK,
          splitK = tile.splitK, stages = tile.stages, wgmma = 0;
  FailureOr<bool> found = readScheduleAttr(op, gpu::targetName(target), "GPU",
                                           {{"tiles_n", &tilesN},
                                            {"warps_n", &warpsN},
                                            {"warps_k", &warpsK},
                                            {"split_k", &splitK},
                                            {"stages", &stages},
                                            {"wgmma", &wgmma}});
  if (failed(found))
    return failure();
  if (!*found)
    return std::optional<gpu::TileConfig>();
  if (wgmma > 1)
    return op.emitOpError("the schedule's wgmma must be 0 or 1, got ") << wgmma;
  tile = {int(tilesN), int(warpsN), int(warpsK),
          int(splitK), int(stages), wgmma == 1};
  return std::optional<gpu::TileConfig>(tile);
}

LogicalResult lowbit::translateToGpu(Operation *module, raw_ostream &os,
                                     gpu::Target target,
                                     std::optional<gpu::TileConfig> tile) {
  return emitKernelPerFunction(
      module, os, "GPU",
      [&](MatmulOp op, StringRef name) -> FailureOr<cpu::EmitResult> {
        FailureOr<gpu::KernelSpec> spec =
            getGpuKernelSpec(op, target, name, tile);
        if (failed(spec))
          return failure();
        return gpu::emitGpuKernel(*spec);
      });
}

/// Parses --gpu-tile=TN,WN,WK,SPLITK[,STAGES[,WGMMA]].
static std::optional<gpu::TileConfig> parseTile(StringRef text, bool &ok) {
  ok = true;
  if (text.empty())
    return std::nullopt;
  SmallVector<StringRef> parts;
  text.split(parts, ',');
  gpu::TileConfig tile;
  int wgmma = 0;
  int *fields[] = {&tile.tilesN, &tile.warpsN, &tile.warpsK,
                   &tile.splitK, &tile.stages, &wgmma};
  ok = parts.size() >= 4 && parts.size() <= 6;
  for (size_t i = 0; ok && i < parts.size(); ++i)
    ok = !parts[i].trim().getAsInteger(10, *fields[i]);
  ok = ok && (wgmma == 0 || wgmma == 1);
  tile.wgmma = wgmma == 1;
  return tile;
}

void lowbit::registerToGpuTranslations() {
  static llvm::cl::opt<std::string> tileText(
      "gpu-tile",
      llvm::cl::desc("GPU kernels' decomposition as tilesN,warpsN,warpsK,"
                     "splitK[,stages[,wgmma]] (default: chosen per shape; "
                     "stages 0: weights double-buffered in registers, 2..8: "
                     "CUDA cp.async stages in shared memory; wgmma 1: M > 8 "
                     "on sm_90a wgmma)"),
      llvm::cl::init(""));
  for (gpu::Target target : {gpu::Target::CUDA, gpu::Target::HIP}) {
    std::string name = std::string("emit-") + gpu::targetName(target);
    TranslateFromMLIRRegistration registration(
        name,
        target == gpu::Target::CUDA
            ? "emit CUDA C++ kernels for scheduled lowbit.matmul ops"
            : "emit HIP C++ kernels for scheduled lowbit.matmul ops",
        [target](Operation *op, raw_ostream &os) -> LogicalResult {
          bool ok = true;
          std::optional<gpu::TileConfig> tile = parseTile(tileText, ok);
          if (!ok)
            return op->emitError("--gpu-tile=")
                   << tileText.getValue()
                   << " is not four to six integers "
                      "tilesN,warpsN,warpsK,splitK[,stages[,wgmma]] "
                      "(wgmma 0 or 1)";
          return translateToGpu(op, os, target, tile);
        },
        [](DialectRegistry &registry) { registerAllDialects(registry); });
  }
}
