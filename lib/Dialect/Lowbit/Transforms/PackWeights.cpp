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
#include "lowbit/Target/GPU/GpuKernel.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITPACKWEIGHTSPASS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

FailureOr<LayoutAttr> lowbit::chooseCpuWeightLayout(Type weightType,
                                                    cpu::Isa isa) {
  std::optional<numerics::Format> format = getElementFormat(weightType);
  if (!format)
    return failure();
  // One vector load of `lanes` 32-bit words yields 32/bits vectors of
  // consecutive weights, each one shift (and mask) away.
  return LayoutAttr::get(weightType.getContext(), format->bits(), 32,
                         /*order=*/{}, /*aligned=*/true, cpu::isaLanes(isa));
}

FailureOr<LayoutAttr> lowbit::chooseGpuWeightLayout(Type weightType) {
  std::optional<numerics::Format> format = getElementFormat(weightType);
  if (!format)
    return failure();
  numerics::PackLayout layout = gpu::weightLayout(format->bits());
  SmallVector<int64_t> order(layout.order.begin(), layout.order.end());
  return LayoutAttr::get(weightType.getContext(), layout.bits,
                         layout.wordBits, order, layout.aligned,
                         /*lanes=*/0);
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
    FailureOr<LayoutAttr> layout = isa ? chooseCpuWeightLayout(weightType, *isa)
                                       : chooseGpuWeightLayout(weightType);
    if (failed(layout))
      return rewriter.notifyMatchFailure(op, "no layout for the weight type");
    return packMatmulWeights(rewriter, op, *layout);
  }

  std::optional<cpu::Isa> isa;
};

struct LowbitPackWeightsPass
    : lowbit::impl::LowbitPackWeightsPassBase<LowbitPackWeightsPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    if (gpu::parseTarget(target)) {
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
          << isa << "' is not one of avx512, avx2, scalar";
      return signalPassFailure();
    }
    populatePackWeightsPatterns(patterns, *parsed);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace

void lowbit::populatePackWeightsPatterns(RewritePatternSet &patterns,
                                         cpu::Isa isa) {
  patterns.add<PackTargetWeights>(patterns.getContext(), isa);
}

void lowbit::populateGpuPackWeightsPatterns(RewritePatternSet &patterns) {
  patterns.add<PackTargetWeights>(patterns.getContext(), std::nullopt);
}
