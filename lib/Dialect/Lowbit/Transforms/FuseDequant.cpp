//===- FuseDequant.cpp - Fuse dequantization and epilogues into matmuls --===//
//
// The rewrites of --lowbit-fuse-dequant: a dequantize feeding a float
// contraction becomes one lowbit.matmul, and element-wise consumers of a
// matmul fold into its epilogue region.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/Transforms/Passes.h"
#include "lowbit/Dialect/Lowbit/Transforms/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lowbit {
#define GEN_PASS_DEF_LOWBITFUSEDEQUANTPASS
#include "lowbit/Dialect/Lowbit/Transforms/Passes.h.inc"
} // namespace lowbit

using namespace mlir;
using namespace lowbit;

/// The float types lowbit.matmul takes as activations and produces.
static bool isMatmulFloat(Type type) {
  return type.isF16() || type.isBF16() || type.isF32();
}

/// Converts the float scalar `value` to `type`, rounding to nearest even when
/// narrowing. Floats of the same width (f16, bf16) convert through f32.
static Value convertFloat(OpBuilder &builder, Location loc, Value value,
                          Type type) {
  Type from = value.getType();
  if (from == type)
    return value;
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = type.getIntOrFloatBitWidth();
  if (fromWidth < toWidth)
    return arith::ExtFOp::create(builder, loc, type, value);
  if (fromWidth > toWidth)
    return arith::TruncFOp::create(builder, loc, type, value);
  Value wide = arith::ExtFOp::create(builder, loc, builder.getF32Type(), value);
  return arith::TruncFOp::create(builder, loc, type, wide);
}

/// True if `value` is a tensor of zeros: a linalg.fill of 0.0 or a splat
/// 0.0 constant.
static bool isZeroTensor(Value value) {
  if (auto fill = value.getDefiningOp<linalg::FillOp>())
    return matchPattern(fill.getDpsInputOperand(0)->get(), m_AnyZeroFloat());
  return matchPattern(value, m_AnyZeroFloat());
}

/// The positions of the loop dimensions a projected permutation reads.
static SmallVector<unsigned> getDimPositions(AffineMap map) {
  return llvm::map_to_vector(map.getResults(), [](AffineExpr expr) {
    return cast<AffineDimExpr>(expr).getPosition();
  });
}

//===----------------------------------------------------------------------===//
// Dequantize into contraction
//===----------------------------------------------------------------------===//

namespace {
/// A contraction read as `result[rows..., n] = sum_k x[rows..., k] * w[k, n]`
/// (or `w[n, k]`), with at most two row dimensions (none for a vector).
struct WeightContraction {
  DequantizeOp dequantize;
  Value activations;
  bool transposeB;
  unsigned numRows;
};
} // namespace

/// Checks that the body of `op` computes `out + ext(a) * ext(b)`, where `a`
/// and `b` are its two inputs and each `ext` is absent or an `arith.extf`.
/// Anything else (integer math, narrowing casts, extra ops) does not match.
static LogicalResult matchMultiplyAddBody(RewriterBase &rewriter,
                                          linalg::LinalgOp op) {
  Block *body = op.getBlock();
  Value out = op.getMatchingBlockArgument(op.getDpsInitOperand(0));
  Value lhs = op.getMatchingBlockArgument(op.getDpsInputOperand(0));
  Value rhs = op.getMatchingBlockArgument(op.getDpsInputOperand(1));
  Operation *terminator = body->getTerminator();
  if (terminator->getNumOperands() != 1)
    return rewriter.notifyMatchFailure(op, "the body does not yield one value");
  auto add = terminator->getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || (add.getLhs() != out && add.getRhs() != out))
    return rewriter.notifyMatchFailure(
        op, "the body does not yield an arith.addf onto the output");
  auto mul = (add.getLhs() == out ? add.getRhs() : add.getLhs())
                 .getDefiningOp<arith::MulFOp>();
  if (!mul)
    return rewriter.notifyMatchFailure(
        op, "the body does not accumulate an arith.mulf");
  unsigned numExtensions = 0;
  auto stripExtension = [&](Value value) {
    if (auto ext = value.getDefiningOp<arith::ExtFOp>()) {
      ++numExtensions;
      return ext.getIn();
    }
    return value;
  };
  Value a = stripExtension(mul.getLhs()), b = stripExtension(mul.getRhs());
  if (!((a == lhs && b == rhs) || (a == rhs && b == lhs)))
    return rewriter.notifyMatchFailure(
        op, "the multiply does not take the two inputs, optionally widened "
            "by arith.extf");
  // The yield, the add, the multiply and the extensions.
  if (body->getOperations().size() != 3 + numExtensions)
    return rewriter.notifyMatchFailure(
        op, "the body has ops besides the multiply-add");
  return success();
}

/// Reads `op` as a contraction of activations with the dequantized weights
/// at input `weightIndex`.
static FailureOr<WeightContraction>
matchWeightContraction(RewriterBase &rewriter, linalg::LinalgOp op,
                       unsigned weightIndex) {
  OpOperand *weightOperand = op.getDpsInputOperand(weightIndex);
  OpOperand *activationOperand = op.getDpsInputOperand(1 - weightIndex);
  auto dequantize = weightOperand->get().getDefiningOp<DequantizeOp>();
  if (!dequantize)
    return rewriter.notifyMatchFailure(op, "the input is not dequantized");
  if (!dequantize.getResult().hasOneUse())
    return rewriter.notifyMatchFailure(
        op, "the dequantized weights have other uses");
  if (dequantize.getResult().getType().getRank() != 2)
    return rewriter.notifyMatchFailure(
        op, "the dequantized weights are not 2-D (lowbit.matmul shares one "
            "weight matrix across rows and batches)");

  auto activationType =
      dyn_cast<RankedTensorType>(activationOperand->get().getType());
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  if (!activationType || !isMatmulFloat(activationType.getElementType()) ||
      !isMatmulFloat(resultType.getElementType()))
    return rewriter.notifyMatchFailure(
        op, "the activations and the result must be f16, bf16 or f32 tensors");

  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!llvm::all_of(maps, [](AffineMap map) {
        return map.isProjectedPermutation(/*allowZeroInResults=*/false);
      }))
    return rewriter.notifyMatchFailure(
        op, "the indexing maps are not projected permutations");
  SmallVector<unsigned> x = getDimPositions(maps[1 - weightIndex]);
  SmallVector<unsigned> w = getDimPositions(maps[weightIndex]);
  SmallVector<unsigned> out = getDimPositions(maps[2]);
  if (x.empty() || x.size() > 3 || out.size() != x.size())
    return rewriter.notifyMatchFailure(
        op, "the activations are not [K], [M, K] or [B, M, K] with a result "
            "of the same rank");
  // x = (rows..., k) and out = (rows..., n): rows in the same order, the
  // reduction last in the activations, the weight's column last in the result.
  unsigned k = x.back(), n = out.back();
  if (!std::equal(x.begin(), x.end() - 1, out.begin()))
    return rewriter.notifyMatchFailure(
        op, "the result is not indexed (rows..., n) with the activations' "
            "rows in order (a transposed result is not a lowbit.matmul)");
  bool transposeB = w == SmallVector<unsigned>{n, k};
  if (!transposeB && w != SmallVector<unsigned>{k, n})
    return rewriter.notifyMatchFailure(
        op, "the weights are not indexed (k, n) or (n, k)");
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (iterators.size() != x.size() + 1 ||
      llvm::count(iterators, utils::IteratorType::reduction) != 1 ||
      iterators[k] != utils::IteratorType::reduction)
    return rewriter.notifyMatchFailure(op, "k is not the only reduction loop");
  if (failed(matchMultiplyAddBody(rewriter, op)))
    return failure();
  return WeightContraction{dequantize, activationOperand->get(), transposeB,
                           static_cast<unsigned>(x.size() - 1)};
}

/// Builds the epilogue `round(acc + c)` of `matmul`, whose only epilogue
/// operand is the contraction's init `c`.
static void buildInitEpilogue(RewriterBase &rewriter, MatmulOp matmul) {
  OpBuilder::InsertionGuard guard(rewriter);
  Location loc = matmul.getLoc();
  Type acc = matmul.getAccumulatorType();
  Type element = matmul.getResult().getType().getElementType();
  Block *block = rewriter.createBlock(&matmul.getEpilogue(), {}, {acc, element},
                                      {loc, loc});
  Value init = convertFloat(rewriter, loc, block->getArgument(1), acc);
  Value sum = arith::AddFOp::create(rewriter, loc, block->getArgument(0), init);
  YieldOp::create(rewriter, loc, convertFloat(rewriter, loc, sum, element));
}

FailureOr<MatmulOp>
lowbit::fuseDequantizeIntoContraction(RewriterBase &rewriter,
                                      linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1)
    return rewriter.notifyMatchFailure(
        op, "not a contraction of two tensors into one");
  // Weights are conventionally the right-hand side; a matrix-vector product
  // has them on the left.
  FailureOr<WeightContraction> contraction =
      matchWeightContraction(rewriter, op, /*weightIndex=*/1);
  if (failed(contraction))
    contraction = matchWeightContraction(rewriter, op, /*weightIndex=*/0);
  if (failed(contraction))
    return failure();

  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  Value input = contraction->activations;
  RankedTensorType matmulType = resultType;
  SmallVector<ReassociationIndices> unitRow = {{0, 1}};
  if (contraction->numRows == 0) {
    auto vectorType = cast<RankedTensorType>(input.getType());
    input = tensor::ExpandShapeOp::create(
        rewriter, loc,
        RankedTensorType::get({1, vectorType.getDimSize(0)},
                              vectorType.getElementType()),
        input, unitRow);
    matmulType = RankedTensorType::get({1, resultType.getDimSize(0)},
                                       resultType.getElementType());
  }
  Value init = op.getDpsInitOperand(0)->get();
  SmallVector<Value> epilogueOperands;
  if (!isZeroTensor(init))
    epilogueOperands.push_back(init);
  DequantizeOp dequantize = contraction->dequantize;
  auto matmul = MatmulOp::create(
      rewriter, loc, matmulType, input, dequantize.getInput(),
      dequantize.getScales(), dequantize.getZeros(), dequantize.getNegScales(),
      dequantize.getTensorScale(), /*bias=*/Value(), epilogueOperands,
      dequantize.getSchemeAttr(), contraction->transposeB,
      /*acc=*/TypeAttr(), /*layout=*/LayoutAttr(), /*weightType=*/TypeAttr(),
      /*strategy=*/StrategyAttr(), /*lut=*/LutAttr());
  if (!epilogueOperands.empty())
    buildInitEpilogue(rewriter, matmul);
  Value result = matmul.getResult();
  if (contraction->numRows == 0)
    result = tensor::CollapseShapeOp::create(rewriter, loc, resultType, result,
                                             unitRow);
  rewriter.replaceOp(op, result);
  rewriter.eraseOp(dequantize);
  return matmul;
}

//===----------------------------------------------------------------------===//
// Element-wise consumer into epilogue
//===----------------------------------------------------------------------===//

/// True if `map` reads only the last of its loop dimensions: a row of [N]
/// broadcast over the others.
static bool isRowBroadcast(AffineMap map) {
  return map.getNumResults() == 1 &&
         map.getResult(0) ==
             getAffineDimExpr(map.getNumDims() - 1, map.getContext());
}

/// True if `collapse` only drops the unit row of a [1, N] tensor.
static bool isUnitRowCollapse(tensor::CollapseShapeOp collapse) {
  RankedTensorType source = collapse.getSrcType();
  return source.getRank() == 2 && source.getDimSize(0) == 1 &&
         collapse.getResultType().getRank() == 1;
}

FailureOr<MatmulOp> lowbit::fuseElementwiseIntoEpilogue(RewriterBase &rewriter,
                                                        MatmulOp matmul) {
  Value view = matmul.getResult();
  if (view.use_empty())
    return rewriter.notifyMatchFailure(matmul, "the result has no user");
  Operation *user = *view.getUsers().begin();
  if (llvm::any_of(view.getUsers(), [&](Operation *u) { return u != user; }))
    return rewriter.notifyMatchFailure(matmul,
                                       "the result has more than one user");
  // A matrix-vector product reaches its consumer through a collapse.
  auto collapse = dyn_cast<tensor::CollapseShapeOp>(user);
  if (collapse) {
    if (!isUnitRowCollapse(collapse) || !collapse.getResult().hasOneUse())
      return rewriter.notifyMatchFailure(
          matmul, "the result is reshaped other than by dropping a unit row "
                  "for one user");
    view = collapse.getResult();
    user = *view.getUsers().begin();
  }

  auto consumer = dyn_cast<linalg::LinalgOp>(user);
  if (!consumer || !consumer.hasPureTensorSemantics() ||
      consumer.getNumDpsInits() != 1 || consumer->getNumResults() != 1)
    return rewriter.notifyMatchFailure(
        matmul, "the user is not a linalg op on tensors with one result");
  if (consumer.getNumParallelLoops() != consumer.getNumLoops())
    return rewriter.notifyMatchFailure(consumer,
                                       "the consumer is not element-wise");
  OpOperand *init = consumer.getDpsInitOperand(0);
  auto consumerType = cast<RankedTensorType>(consumer->getResult(0).getType());
  auto viewType = cast<RankedTensorType>(view.getType());
  if (!consumer.getMatchingIndexingMap(init).isIdentity() ||
      consumerType.getShape() != viewType.getShape())
    return rewriter.notifyMatchFailure(
        consumer, "the consumer does not write a tensor of the matmul "
                  "result's shape through the identity map");
  if (!isMatmulFloat(consumerType.getElementType()))
    return rewriter.notifyMatchFailure(
        consumer, "the consumer's result is not f16, bf16 or f32");

  // The matmul result must be read once, with the identity map; every other
  // operand the body reads (the init too, if it does) is an epilogue
  // operand, the same value once.
  SmallVector<OpOperand *> reads = consumer.getDpsInputOperands();
  if (consumer.payloadUsesValueFromOperand(init))
    reads.push_back(init);
  OpOperand *viewOperand = nullptr;
  SmallVector<Value> epilogueOperands(matmul.getEpilogueOperands());
  SmallVector<std::pair<OpOperand *, size_t>> operandArgs;
  for (OpOperand *input : reads) {
    AffineMap map = consumer.getMatchingIndexingMap(input);
    if (input->get() == view) {
      if (viewOperand)
        return rewriter.notifyMatchFailure(
            consumer, "the consumer reads the matmul result twice");
      if (!map.isIdentity())
        return rewriter.notifyMatchFailure(
            consumer, "the consumer reads the matmul result through a "
                      "non-identity map");
      viewOperand = input;
      continue;
    }
    auto type = dyn_cast<RankedTensorType>(input->get().getType());
    if (!type || !type.getElementType().isSignlessIntOrIndexOrFloat())
      return rewriter.notifyMatchFailure(
          consumer, "a consumer operand is not a tensor of scalars");
    if (!map.isIdentity() && !isRowBroadcast(map))
      return rewriter.notifyMatchFailure(
          consumer, "a consumer operand is read neither with the identity "
                    "map nor broadcast along rows ((..., n) -> (n))");
    auto it = llvm::find(epilogueOperands, input->get());
    operandArgs.emplace_back(input, it - epilogueOperands.begin());
    if (it == epilogueOperands.end())
      epilogueOperands.push_back(input->get());
  }
  if (!viewOperand)
    return rewriter.notifyMatchFailure(
        consumer, "the consumer's body does not read the matmul result");

  // The body becomes epilogue ops: scalar arith/math, using only block
  // arguments, its own values and constants (which are copied in).
  Block *body = consumer.getBlock();
  auto isFromAbove = [&](Value value) {
    return value.getParentBlock() != body;
  };
  SmallVector<Value> used(body->getTerminator()->getOperands());
  for (Operation &op : body->without_terminator()) {
    if (std::optional<std::string> violation =
            MatmulOp::getEpilogueViolation(&op))
      return rewriter.notifyMatchFailure(consumer, "the consumer's body op " +
                                                       *violation);
    llvm::append_range(used, op.getOperands());
  }
  for (Value value : llvm::make_filter_range(used, isFromAbove)) {
    Operation *def = value.getDefiningOp();
    if (!def || !def->hasTrait<OpTrait::ConstantLike>() ||
        MatmulOp::getEpilogueViolation(def))
      return rewriter.notifyMatchFailure(
          consumer, "the consumer's body uses a value from above that is not "
                    "a scalar constant");
  }

  Location loc = rewriter.getFusedLoc({matmul.getLoc(), consumer.getLoc()});
  rewriter.setInsertionPoint(consumer);
  auto fused = MatmulOp::create(
      rewriter, loc,
      RankedTensorType::get(matmul.getResult().getType().getShape(),
                            consumerType.getElementType()),
      matmul.getInput(), matmul.getWeights(), matmul.getScales(),
      matmul.getZeros(), matmul.getNegScales(), matmul.getTensorScale(),
      matmul.getBias(), epilogueOperands, matmul.getSchemeAttr(),
      matmul.getTransposeBAttr(), matmul.getAccAttr(), matmul.getLayoutAttr(),
      matmul.getWeightTypeAttr(), matmul.getStrategyAttr(),
      matmul.getLutAttr());
  {
    OpBuilder::InsertionGuard guard(rewriter);
    SmallVector<Type> argTypes = {matmul.getAccumulatorType()};
    for (Value operand : epilogueOperands)
      argTypes.push_back(
          cast<RankedTensorType>(operand.getType()).getElementType());
    SmallVector<Location> argLocs(argTypes.size(), loc);
    Block *block =
        rewriter.createBlock(&fused.getEpilogue(), {}, argTypes, argLocs);
    IRMapping mapping;
    // The value the consumer sees: the old epilogue's, or the rounded
    // accumulator.
    Value current;
    if (Block *old = matmul.getEpilogueBlock()) {
      mapping.map(old->getArguments(),
                  block->getArguments().take_front(old->getNumArguments()));
      for (Operation &op : old->without_terminator())
        rewriter.clone(op, mapping);
      current = mapping.lookup(cast<YieldOp>(old->getTerminator()).getValue());
    } else {
      current = convertFloat(rewriter, loc, block->getArgument(0),
                             matmul.getResult().getType().getElementType());
    }
    mapping.map(consumer.getMatchingBlockArgument(viewOperand), current);
    for (auto [input, index] : operandArgs)
      mapping.map(consumer.getMatchingBlockArgument(input),
                  block->getArgument(1 + index));
    for (Value value : llvm::make_filter_range(used, isFromAbove))
      if (!mapping.contains(value))
        rewriter.clone(*value.getDefiningOp(), mapping);
    for (Operation &op : body->without_terminator())
      rewriter.clone(op, mapping);
    YieldOp::create(rewriter, loc,
                    mapping.lookup(body->getTerminator()->getOperand(0)));
  }

  Value result = fused.getResult();
  if (collapse)
    result =
        tensor::CollapseShapeOp::create(rewriter, loc, consumerType, result,
                                        collapse.getReassociationIndices());
  rewriter.replaceOp(consumer, result);
  if (collapse)
    rewriter.eraseOp(collapse);
  rewriter.eraseOp(matmul);
  return fused;
}

//===----------------------------------------------------------------------===//
// Patterns and pass
//===----------------------------------------------------------------------===//

namespace {
struct FuseDequantizeIntoContractionPattern
    : OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;
  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    return fuseDequantizeIntoContraction(rewriter, op);
  }
};

struct FuseElementwiseIntoEpiloguePattern : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp matmul,
                                PatternRewriter &rewriter) const override {
    return fuseElementwiseIntoEpilogue(rewriter, matmul);
  }
};

struct LowbitFuseDequantPass
    : lowbit::impl::LowbitFuseDequantPassBase<LowbitFuseDequantPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateFuseDequantPatterns(patterns);
    // Fusion only: leave folding (which would also fold quantize and pack
    // on constants) and region simplification to other passes.
    GreedyRewriteConfig config;
    config.enableFolding(false).setRegionSimplificationLevel(
        GreedySimplifyRegionLevel::Disabled);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();
  }
};
} // namespace

void lowbit::populateFuseDequantPatterns(RewritePatternSet &patterns) {
  patterns.add<FuseDequantizeIntoContractionPattern,
               FuseElementwiseIntoEpiloguePattern>(patterns.getContext());
}
