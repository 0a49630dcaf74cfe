//===- PackWeights.cpp - Pack matmul weights in a target's layout ---------===//
//
// Chooses, per target, the storage layout whose decode is cheap in vector
// registers, rewrites a lowbit.matmul's weights through lowbit.pack (folding
// the packing of constant weights at compile time), and records the layout
// and the logical weight type on the matmul: its scheduled form.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/ElementFormat.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Dialect/Lowbit/Transforms/Transforms.h"
#include "lowbit/Target/CPU/CpuKernel.h"
#include "lowbit/Target/CPU/IRTypes.h"
#include "lowbit/Target/GPU/GpuKernel.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITLOWERLUTPASS
#define GEN_PASS_DEF_LOWBITPACKWEIGHTSPASS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

FailureOr<LayoutAttr> lowbit::chooseCpuWeightLayout(Type weightType,
                                                    cpu::Isa isa,
                                                    cpu::Strategy strategy) {
  std::optional<numerics::Format> format = getElementFormat(weightType);
  if (!format)
    return failure();
  cpu::KernelSpec spec;
  spec.isa = isa;
  spec.weight = *format;
  spec.strategy = strategy;
  // Dequant: one vector load of `lanes` 32-bit words yields 32/bits vectors
  // of consecutive weights, each one shift (and mask) away. Int8Dot: the
  // same with bytes.
  return getLayoutAttr(weightType.getContext(), cpu::weightLayout(spec));
}

/// The kernel spec of `op`'s weights and scheme for `isa` and `strategy`,
/// enough to ask the generator whether it can emit the kernel.
static std::optional<cpu::KernelSpec>
strategySpec(MatmulOp op, cpu::Isa isa, cpu::Strategy strategy) {
  std::optional<numerics::Format> format = getElementFormat(
      op.getWeightType() ? *op.getWeightType()
                         : op.getWeights().getType().getElementType());
  if (!format)
    return std::nullopt;
  cpu::KernelSpec spec;
  spec.isa = isa;
  spec.strategy = strategy;
  spec.weight = *format;
  spec.scheme = getNumericsScheme(op.getScheme());
  spec.n = op.getOutputSize();
  spec.k = op.getReductionSize();
  // Other activation types are refused when the kernel is emitted.
  spec.activation = getScalarType(op.getInput().getType().getElementType())
                        .value_or(cpu::ScalarType::F32);
  setSpecStrategy(op, spec);
  spec.strategy = strategy;
  return spec;
}

FailureOr<cpu::Strategy> lowbit::chooseCpuStrategy(MatmulOp op, cpu::Isa isa,
                                                   StringRef requested) {
  if (requested.empty())
    return toCpuStrategy(op.getStrategy().value_or(Strategy::Dequant));
  auto canEmit = [&](cpu::Strategy strategy) -> std::string {
    std::optional<cpu::KernelSpec> spec = strategySpec(op, isa, strategy);
    if (!spec)
      return "the weights have no numerics format";
    if (ShapedType::isDynamic(spec->n) || ShapedType::isDynamic(spec->k))
      return "N and K must be static";
    return cpu::verifyKernelSpec(*spec);
  };
  if (requested == "auto") {
    std::optional<cpu::KernelSpec> spec =
        strategySpec(op, isa, cpu::Strategy::Dequant);
    if (!spec || ShapedType::isDynamic(spec->n) ||
        ShapedType::isDynamic(spec->k))
      return cpu::Strategy::Dequant;
    return cpu::autoStrategy(*spec);
  }
  std::optional<cpu::Strategy> strategy = cpu::parseStrategy(requested);
  if (!strategy)
    return op.emitOpError("--lowbit-pack-weights: strategy '")
           << requested << "' is not one of " << cpu::strategyNames()
           << ", auto";
  if (*strategy != cpu::Strategy::Dequant) {
    std::string error = canEmit(*strategy);
    if (!error.empty())
      return op.emitOpError("cannot use the ")
             << cpu::strategyName(*strategy) << " strategy: " << error;
  }
  return *strategy;
}

cpu::Strategy lowbit::toCpuStrategy(Strategy strategy) {
  switch (strategy) {
  case Strategy::Dequant:
    return cpu::Strategy::Dequant;
  case Strategy::Int8Dot:
    return cpu::Strategy::Int8Dot;
  case Strategy::Lut:
    return cpu::Strategy::Lut;
  case Strategy::Bf16Dot:
    return cpu::Strategy::Bf16Dot;
  }
  return cpu::Strategy::Dequant;
}

void lowbit::setSpecStrategy(MatmulOp op, cpu::KernelSpec &spec) {
  spec.strategy = toCpuStrategy(op.getStrategy().value_or(Strategy::Dequant));
  if (LutAttr lut = op.getLutAttr()) {
    spec.lut.group = int(lut.getGroup());
    spec.lut.exactTables = lut.getExact();
  }
}

Strategy lowbit::fromCpuStrategy(cpu::Strategy strategy) {
  switch (strategy) {
  case cpu::Strategy::Dequant:
    return Strategy::Dequant;
  case cpu::Strategy::Int8Dot:
    return Strategy::Int8Dot;
  case cpu::Strategy::Lut:
    return Strategy::Lut;
  case cpu::Strategy::Bf16Dot:
    return Strategy::Bf16Dot;
  }
  return Strategy::Dequant;
}

FailureOr<LayoutAttr> lowbit::chooseGpuWeightLayout(Type weightType,
                                                    cpu::Strategy strategy) {
  std::optional<numerics::Format> format = getElementFormat(weightType);
  if (!format)
    return failure();
  return getLayoutAttr(weightType.getContext(),
                       gpu::weightLayout(format->bits(), strategy));
}

FailureOr<MatmulOp> lowbit::packMatmulWeights(RewriterBase &rewriter,
                                              MatmulOp op, LayoutAttr layout) {
  if (op.getLayoutAttr())
    return rewriter.notifyMatchFailure(op, "weights are already packed");
  if (!op.getTransposeB())
    return rewriter.notifyMatchFailure(
        op, "weights stored [K, N] are packed along N; only [N, K] "
            "(transpose_b) weights are packed");
  RankedTensorType weightType = op.getWeights().getType();
  if (!weightType.hasStaticShape())
    return rewriter.notifyMatchFailure(op, "weights have a dynamic shape");
  std::optional<numerics::Format> format =
      getElementFormat(weightType.getElementType());
  if (!format || format->bits() != layout.getBits())
    return rewriter.notifyMatchFailure(
        op, "layout width does not match the weight code width");
  int64_t rows = weightType.getDimSize(0), k = weightType.getDimSize(1);
  auto packedType =
      RankedTensorType::get({rows, layout.getWordsPerRow(k)},
                            rewriter.getIntegerType(layout.getWord()));
  Value packed = rewriter.createOrFold<PackOp>(op.getLoc(), packedType,
                                               op.getWeights(), layout);
  rewriter.modifyOpInPlace(op, [&] {
    op.getWeightsMutable().assign(packed);
    op.setLayoutAttr(layout);
    op.setWeightType(weightType.getElementType());
  });
  return op;
}

namespace {
/// Packs every unpacked matmul's weights in the layout of one target: a
/// CPU ISA, or the GPU layout when `isa` is empty.
struct PackTargetWeights : OpRewritePattern<MatmulOp> {
  PackTargetWeights(MLIRContext *context, std::optional<cpu::Isa> isa)
      : OpRewritePattern(context), isa(isa) {}

  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getLayoutAttr())
      return rewriter.notifyMatchFailure(op, "weights are already packed");
    Type weightType = op.getWeights().getType().getElementType();
    if (!isa) {
      FailureOr<LayoutAttr> layout = chooseGpuWeightLayout(
          weightType,
          toCpuStrategy(op.getStrategy().value_or(Strategy::Dequant)));
      if (failed(layout))
        return rewriter.notifyMatchFailure(op, "no layout for the weight type");
      return packMatmulWeights(rewriter, op, *layout);
    }
    // The op's own strategy, set before the patterns run when the pass was
    // given one.
    FailureOr<cpu::Strategy> chosen = chooseCpuStrategy(op, *isa, "");
    if (failed(chosen))
      return failure();
    FailureOr<LayoutAttr> layout =
        chooseCpuWeightLayout(weightType, *isa, *chosen);
    if (failed(layout))
      return rewriter.notifyMatchFailure(op, "no layout for the weight type");
    return packMatmulWeights(rewriter, op, *layout);
  }

  std::optional<cpu::Isa> isa;
};

struct LowbitLowerLutPass
    : lowbit::impl::LowbitLowerLutPassBase<LowbitLowerLutPass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<cpu::Isa> parsed = cpu::parseIsa(isa);
    if (!parsed) {
      getOperation()->emitError("--lowbit-lower-lut: isa '")
          << isa << "' is not one of " << cpu::isaNames();
      return signalPassFailure();
    }
    cpu::LutOptions options;
    options.group = int(group);
    options.exactTables = exact;
    // The table options must suit the ISA, whatever the matmuls.
    cpu::KernelSpec probe;
    probe.isa = *parsed;
    probe.strategy = cpu::Strategy::Lut;
    probe.lut = options;
    probe.n = probe.k = 64;
    probe.scheme.groupShape = {1, 64};
    if (std::string error = cpu::verifyKernelSpec(probe); !error.empty()) {
      getOperation()->emitError("--lowbit-lower-lut: ") << error;
      return signalPassFailure();
    }
    // Default options print as plain `strategy lut`.
    LutAttr lutAttr;
    if (options.group != 4 || options.exactTables)
      lutAttr = LutAttr::get(&getContext(), options.group, options.exactTables);
    // Mark the matmuls the lut kernels take; the patterns then pack only
    // those (the others keep no strategy and stay unpacked here).
    SmallVector<MatmulOp> marked;
    getOperation()->walk([&](MatmulOp op) {
      if (op.getLayoutAttr() || !op.getTransposeB())
        return;
      std::optional<cpu::KernelSpec> spec =
          strategySpec(op, *parsed, cpu::Strategy::Lut);
      if (spec)
        spec->lut = options;
      if (!spec || ShapedType::isDynamic(spec->n) ||
          ShapedType::isDynamic(spec->k) ||
          !cpu::verifyKernelSpec(*spec).empty())
        return;
      op.setStrategyAttr(StrategyAttr::get(op.getContext(), Strategy::Lut));
      if (lutAttr)
        op.setLutAttr(lutAttr);
      marked.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (MatmulOp op : marked) {
      Type weightType = op.getWeights().getType().getElementType();
      FailureOr<LayoutAttr> layout =
          chooseCpuWeightLayout(weightType, *parsed, cpu::Strategy::Lut);
      rewriter.setInsertionPoint(op);
      if (failed(layout) || failed(packMatmulWeights(rewriter, op, *layout))) {
        op.emitOpError("could not be packed as bit planes");
        return signalPassFailure();
      }
    }
  }
};

struct LowbitPackWeightsPass
    : lowbit::impl::LowbitPackWeightsPassBase<LowbitPackWeightsPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    if (gpu::parseTarget(target)) {
      if (failed(assignGpuStrategies(getOperation(), strategy)))
        return signalPassFailure();
      populateGpuPackWeightsPatterns(patterns);
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        signalPassFailure();
      return;
    }
    if (target != "cpu") {
      getOperation()->emitError("--lowbit-pack-weights: target '")
          << target << "' is not one of cpu, cuda, hip";
      return signalPassFailure();
    }
    std::optional<cpu::Isa> parsed = cpu::parseIsa(isa);
    if (!parsed) {
      getOperation()->emitError("--lowbit-pack-weights: isa '")
          << isa << "' is not one of " << cpu::isaNames();
      return signalPassFailure();
    }
    if (failed(assignCpuStrategies(getOperation(), *parsed, strategy)))
      return signalPassFailure();
    populatePackWeightsPatterns(patterns, *parsed);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace

LogicalResult lowbit::assignCpuStrategies(Operation *root, cpu::Isa isa,
                                          StringRef requested) {
  if (requested.empty())
    return success();
  WalkResult result = root->walk([&](MatmulOp op) {
    // Packed weights keep their strategy; [K, N] weights are not packed.
    if (op.getLayoutAttr() || !op.getTransposeB())
      return WalkResult::advance();
    FailureOr<cpu::Strategy> chosen = chooseCpuStrategy(op, isa, requested);
    if (failed(chosen))
      return WalkResult::interrupt();
    // Dequant is the default and stays implicit.
    if (*chosen == cpu::Strategy::Dequant && !op.getStrategy())
      return WalkResult::advance();
    op.setStrategyAttr(StrategyAttr::get(op.getContext(), fromCpuStrategy(*chosen)));
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

LogicalResult lowbit::assignGpuStrategies(Operation *root,
                                          StringRef requested) {
  if (requested.empty())
    return success();
  std::optional<cpu::Strategy> parsed =
      requested == "auto" ? cpu::Strategy::Dequant
                          : cpu::parseStrategy(requested);
  WalkResult result = root->walk([&](MatmulOp op) {
    // Packed weights keep their strategy; [K, N] weights are not packed.
    if (op.getLayoutAttr() || !op.getTransposeB())
      return WalkResult::advance();
    if (!parsed) {
      op.emitOpError("--lowbit-pack-weights: strategy '")
          << requested << "' is not one of dequant, lut, auto";
      return WalkResult::interrupt();
    }
    if (std::string error = gpu::strategyError(*parsed); !error.empty()) {
      op.emitOpError(error);
      return WalkResult::interrupt();
    }
    if (*parsed == cpu::Strategy::Dequant) {
      op.removeStrategyAttr();
      op.removeLutAttr();
      return WalkResult::advance();
    }
    // The lut kernel must take the weights and the scheme.
    gpu::KernelSpec spec;
    spec.strategy = cpu::Strategy::Lut;
    std::optional<numerics::Format> format =
        getElementFormat(op.getWeights().getType().getElementType());
    spec.n = op.getOutputSize();
    spec.k = op.getReductionSize();
    std::string error;
    if (!format)
      error = "the weights have no numerics format";
    else if (ShapedType::isDynamic(spec.n) || ShapedType::isDynamic(spec.k))
      error = "N and K must be static";
    if (error.empty()) {
      spec.weight = *format;
      spec.scheme = getNumericsScheme(op.getScheme());
      // The activation type is checked when the kernel is emitted.
      if (op.getInput().getType().getElementType().isBF16())
        spec.activation = cpu::ScalarType::BF16;
      error = gpu::verifyKernelSpec(spec);
    }
    if (!error.empty()) {
      op.emitOpError("cannot use the lut strategy: ") << error;
      return WalkResult::interrupt();
    }
    op.setStrategyAttr(StrategyAttr::get(op.getContext(), Strategy::Lut));
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

void lowbit::populatePackWeightsPatterns(RewritePatternSet &patterns,
                                         cpu::Isa isa) {
  patterns.add<PackTargetWeights>(patterns.getContext(), isa);
}

void lowbit::populateGpuPackWeightsPatterns(RewritePatternSet &patterns) {
  patterns.add<PackTargetWeights>(patterns.getContext(), std::nullopt);
}
