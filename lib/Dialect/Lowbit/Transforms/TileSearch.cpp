//===- TileSearch.cpp - Schedules chosen by the cost model ----------------===//
//
// `--lowbit-tile-search`: prices every legal schedule of each lowbit.matmul
// with the cost model (lib/Tune) and records the objective's pick as a
// `lowbit.schedule` attribute, or takes it from a tuning database.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/ElementFormat.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Dialect/Lowbit/Transforms/Transforms.h"
#include "lowbit/Target/CPU/IRTypes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <cmath>

namespace lowbit {
#define GEN_PASS_DEF_LOWBITTILESEARCHPASS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

FailureOr<tune::Problem> lowbit::getTuneProblem(MatmulOp op,
                                                int64_t defaultM) {
  tune::Problem problem;
  Type weightType = op.getWeightType()
                        ? *op.getWeightType()
                        : op.getWeights().getType().getElementType();
  std::optional<numerics::Format> format = getElementFormat(weightType);
  if (!format)
    return op.emitOpError("has no numerics format for weight type ")
           << weightType;
  problem.weight = *format;
  problem.scheme = getNumericsScheme(op.getScheme());
  std::optional<cpu::ScalarType> act =
      getScalarType(op.getInput().getType().getElementType());
  if (!act)
    return op.emitOpError("the cost model takes f32, f16 or bf16 "
                          "activations");
  problem.activation = *act;
  problem.n = op.getOutputSize();
  problem.k = op.getReductionSize();
  if (ShapedType::isDynamic(problem.n) || ShapedType::isDynamic(problem.k))
    return op.emitOpError("tile search needs static N and K");
  // Rows of activations: every dimension but the last (batch included).
  RankedTensorType input = op.getInput().getType();
  int64_t m = 1;
  for (int64_t dim : input.getShape().drop_back()) {
    if (ShapedType::isDynamic(dim)) {
      m = ShapedType::kDynamic;
      break;
    }
    m *= dim;
  }
  if (ShapedType::isDynamic(m)) {
    if (defaultM < 1)
      return op.emitOpError("has a dynamic number of rows; give the M to "
                            "tune for with m=<rows>");
    m = defaultM;
  }
  problem.m = m;
  return problem;
}

DictionaryAttr lowbit::makeScheduleAttr(MLIRContext *context,
                                        const tune::Target &target,
                                        const tune::Candidate &candidate,
                                        StringRef objective,
                                        StringRef source) {
  Builder b(context);
  SmallVector<NamedAttribute> entries;
  entries.push_back(b.getNamedAttr(
      "target", b.getStringAttr(tune::targetName(target))));
  if (!target.gpu) {
    const cpu::CpuSchedule &s = candidate.cpu;
    entries.push_back(b.getNamedAttr("rows", b.getI64IntegerAttr(s.rows)));
    entries.push_back(
        b.getNamedAttr("acc", b.getI64IntegerAttr(s.accumulators)));
    entries.push_back(b.getNamedAttr("kblock", b.getI64IntegerAttr(s.kBlock)));
    entries.push_back(
        b.getNamedAttr("threads", b.getI64IntegerAttr(s.threads)));
    entries.push_back(b.getNamedAttr("panel", b.getI64IntegerAttr(s.panel)));
  } else {
    const gpu::TileConfig &t = candidate.gpu;
    entries.push_back(b.getNamedAttr("tiles_n", b.getI64IntegerAttr(t.tilesN)));
    entries.push_back(b.getNamedAttr("warps_n", b.getI64IntegerAttr(t.warpsN)));
    entries.push_back(b.getNamedAttr("warps_k", b.getI64IntegerAttr(t.warpsK)));
    entries.push_back(b.getNamedAttr("split_k", b.getI64IntegerAttr(t.splitK)));
    if (t.stages > 0)
      entries.push_back(
          b.getNamedAttr("stages", b.getI64IntegerAttr(t.stages)));
  }
  // Four significant digits, so the IR reads well; the database keeps the
  // model's full precision.
  auto rounded = [](double v) {
    if (!(v > 0))
      return v;
    double scale = std::pow(10.0, 3 - std::floor(std::log10(v)));
    return std::round(v * scale) / scale;
  };
  entries.push_back(b.getNamedAttr(
      "time_us", b.getF64FloatAttr(rounded(candidate.cost.seconds * 1e6))));
  entries.push_back(b.getNamedAttr(
      "energy_uj", b.getF64FloatAttr(rounded(candidate.cost.joules * 1e6))));
  entries.push_back(b.getNamedAttr("objective", b.getStringAttr(objective)));
  entries.push_back(b.getNamedAttr("source", b.getStringAttr(source)));
  return b.getDictionaryAttr(entries);
}

namespace {
struct TileSearchPass
    : public lowbit::impl::LowbitTileSearchPassBase<TileSearchPass> {
  using LowbitTileSearchPassBase::LowbitTileSearchPassBase;

  void runOnOperation() override {
    Operation *root = getOperation();
    std::optional<tune::Target> target = tune::parseTarget(this->target);
    if (!target) {
      root->emitError("--lowbit-tile-search: target '")
          << this->target
          << "' is not one of cpu-avx512, cpu-avx2, cpu-scalar, cuda, hip";
      return signalPassFailure();
    }
    std::string message;
    std::optional<tune::Objective> objective =
        tune::parseObjective(this->objective, message);
    if (!objective) {
      root->emitError("--lowbit-tile-search: ") << message;
      return signalPassFailure();
    }
    std::string hardwareName =
        !hardware.empty() ? hardware.getValue()
        : !target->gpu    ? std::string("zen1-2core")
        : target->gpuTarget == gpu::Target::CUDA ? std::string("h100")
                                                 : std::string("mi300x");
    llvm::Expected<tune::Hardware> hw = tune::loadHardware(hardwareName);
    if (!hw) {
      root->emitError("--lowbit-tile-search: ")
          << llvm::toString(hw.takeError());
      return signalPassFailure();
    }
    std::optional<tune::TuningDb> database;
    if (!db.empty()) {
      llvm::Expected<tune::TuningDb> loaded = tune::TuningDb::load(db);
      if (!loaded) {
        root->emitError("--lowbit-tile-search: ")
            << llvm::toString(loaded.takeError());
        return signalPassFailure();
      }
      database = std::move(*loaded);
    }
    std::string objectiveText = tune::objectiveName(*objective);
    WalkResult result = root->walk([&](MatmulOp op) {
      // The model describes the dequant kernels only (the GPU tensor-core
      // ones, the CPU dequant ones): matmuls of other strategies keep their
      // emitter's default schedule.
      if (op.getStrategy().value_or(Strategy::Dequant) != Strategy::Dequant)
        return WalkResult::advance();
      FailureOr<tune::Problem> problem = getTuneProblem(op, m);
      if (failed(problem))
        return WalkResult::interrupt();
      if (database) {
        std::string key =
            tune::TuningDb::key(*target, hw->name, *objective, *problem);
        if (const tune::TuningDb::Entry *entry = database->lookup(key)) {
          llvm::Expected<tune::Candidate> candidate =
              tune::parseScheduleText(*target, entry->schedule);
          if (!candidate) {
            op.emitOpError("tuning database entry '")
                << key << "': " << llvm::toString(candidate.takeError());
            return WalkResult::interrupt();
          }
          candidate->cost.seconds = entry->seconds;
          candidate->cost.joules = entry->joules;
          op->setAttr(kScheduleAttrName,
                      makeScheduleAttr(op.getContext(), *target, *candidate,
                                       objectiveText, "db"));
          return WalkResult::advance();
        }
      }
      llvm::Expected<tune::SearchResult> found =
          tune::search(*problem, *target, *hw, *objective);
      if (!found) {
        op.emitOpError("tile search: ") << llvm::toString(found.takeError());
        return WalkResult::interrupt();
      }
      op->setAttr(kScheduleAttrName,
                  makeScheduleAttr(op.getContext(), *target,
                                   found->candidates[found->chosen],
                                   objectiveText, "model"));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
