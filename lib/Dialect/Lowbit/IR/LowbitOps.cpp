//===- LowbitOps.cpp - lowbit op verifiers and custom syntax -------------===//

#include "lowbit/Dialect/Lowbit/IR/ElementFormat.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace lowbit;

#define GET_OP_CLASSES
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.cpp.inc"

namespace {
/// Formats a shape as [2, ?, 4] for diagnostics.
std::string shapeStr(ArrayRef<int64_t> shape) {
  std::string result;
  llvm::raw_string_ostream os(result);
  os << "[";
  llvm::interleaveComma(shape, os, [&](int64_t dim) {
    if (ShapedType::isDynamic(dim))
      os << "?";
    else
      os << dim;
  });
  os << "]";
  return result;
}

bool shapesAgree(ArrayRef<int64_t> actual, ArrayRef<int64_t> expected) {
  if (actual.size() != expected.size())
    return false;
  for (auto [a, e] : llvm::zip(actual, expected))
    if (!ShapedType::isDynamic(a) && !ShapedType::isDynamic(e) && a != e)
      return false;
  return true;
}

/// The most elements a tensor of a lowbit op may have: 2^56 codes take 2^62
/// bits in 64-bit words, so every bit offset, word count and byte size
/// computed from a verified shape fits in int64_t.
constexpr int64_t kMaxElements = int64_t(1) << 56;

/// Checks that the static dimensions of `type` (the op's `what`) have at most
/// kMaxElements elements, before anything multiplies them.
LogicalResult verifyTensorSize(Operation *op, StringRef what, ShapedType type) {
  int64_t elements = 1;
  for (int64_t dim : type.getShape()) {
    if (ShapedType::isDynamic(dim))
      continue;
    if (llvm::MulOverflow(elements, dim, elements) || elements > kMaxElements)
      return op->emitOpError()
             << what << " shape " << shapeStr(type.getShape())
             << " has more than 2^56 elements; sizes of packed codes that "
                "large overflow 64 bits";
  }
  return success();
}

/// The quantization parameters of an op, as operands.
struct QuantParamOperands {
  Value scales, zeros, negScales, tensorScale;
};
} // namespace

/// Checks the parameter operands of a quantized tensor of type `quantType`
/// (named `what` in messages) against `scheme`.
static LogicalResult verifyQuantParams(Operation *op, StringRef what,
                                       RankedTensorType quantType,
                                       SchemeAttr scheme,
                                       QuantParamOperands params) {
  ArrayRef<int64_t> shape = quantType.getShape();
  ArrayRef<int64_t> group = scheme.getGroup();
  if (group.size() != shape.size())
    return op->emitOpError() << "scheme group shape " << shapeStr(group)
                             << " has rank " << group.size() << " but the "
                             << what << " tensor has rank " << shape.size();
  for (auto [dim, pair] : llvm::enumerate(llvm::zip(shape, group))) {
    auto [extent, groupExtent] = pair;
    if (!ShapedType::isDynamic(extent) && extent % groupExtent != 0)
      return op->emitOpError()
             << "dimension " << dim << " of the " << what << " tensor ("
             << extent << ") is not a multiple of the group extent "
             << groupExtent;
  }
  SmallVector<int64_t> grid = scheme.getGridShape(shape);
  Type scaleType = scheme.getScale();

  auto checkGroupTensor = [&](Value value, StringRef name,
                              bool requireScaleType) -> LogicalResult {
    auto type = cast<RankedTensorType>(value.getType());
    if (!shapesAgree(type.getShape(), grid))
      return op->emitOpError()
             << name << " have shape " << shapeStr(type.getShape())
             << " but the scheme requires " << shapeStr(grid) << " (" << what
             << " shape " << shapeStr(shape) << " divided by group "
             << shapeStr(group) << ")";
    if (requireScaleType && type.getElementType() != scaleType)
      return op->emitOpError()
             << name << " have element type " << type.getElementType()
             << " but the scheme's scale type is " << scaleType;
    return success();
  };
  if (failed(checkGroupTensor(params.scales, "scales", true)))
    return failure();

  StringRef zeroName = stringifyZeroPointMode(scheme.getZero());
  std::optional<numerics::Format> format =
      getElementFormat(quantType.getElementType());
  if (scheme.hasZeroPoints() != static_cast<bool>(params.zeros))
    return op->emitOpError()
           << (params.zeros ? "has a zeros operand but zero mode '"
                            : "needs a zeros operand for zero mode '")
           << zeroName << "'";
  if (params.zeros) {
    Type zeroElement =
        cast<RankedTensorType>(params.zeros.getType()).getElementType();
    bool integerMode = scheme.getZero() == ZeroPointMode::Int;
    if (integerMode && !isa<IntegerType>(zeroElement) &&
        zeroElement != scaleType)
      return op->emitOpError()
             << "zero points of mode 'int' must be integers or of the scale "
                "type "
             << scaleType << ", got " << zeroElement;
    if (!integerMode && zeroElement != scaleType)
      return op->emitOpError()
             << "zero points of mode 'float' must have the scale type "
             << scaleType << ", got " << zeroElement;
    if (failed(checkGroupTensor(params.zeros, "zeros", false)))
      return failure();
  }
  if (scheme.getZero() == ZeroPointMode::Int &&
      !isa<IntegerType>(quantType.getElementType()))
    return op->emitOpError() << "zero mode 'int' needs an integer element "
                                "type, got "
                             << quantType.getElementType();

  if (scheme.hasNegativeScales() != static_cast<bool>(params.negScales))
    return op->emitOpError()
           << (params.negScales ? "has a neg_scales operand but zero mode '"
                                : "needs a neg_scales operand for zero mode '")
           << zeroName << "'";
  if (params.negScales) {
    if (failed(checkGroupTensor(params.negScales, "neg_scales", true)))
      return failure();
    if (format && !format->isSigned())
      return op->emitOpError() << "zero mode 'asym_fp' needs a signed element "
                                  "type, got "
                               << quantType.getElementType();
  }

  if (static_cast<bool>(scheme.getTensorScale()) !=
      static_cast<bool>(params.tensorScale))
    return op->emitOpError()
           << (params.tensorScale ? "has a tensor_scale operand but the scheme "
                                    "has no tensor scale"
                                  : "needs a tensor_scale operand for the "
                                    "scheme's two-level scales");
  return success();
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

// Syntax: `lowbit.constant dense<...> : tensor<...xui8> as tensor<...>`.
ParseResult ConstantOp::parse(OpAsmParser &parser, OperationState &result) {
  SMLoc rawLoc = parser.getCurrentLocation();
  Attribute raw;
  Type type;
  if (parser.parseAttribute(raw) || parser.parseKeyword("as") ||
      parser.parseType(type) || parser.parseOptionalAttrDict(result.attributes))
    return failure();
  auto rawCodes = dyn_cast<DenseIntElementsAttr>(raw);
  if (!rawCodes)
    return parser.emitError(rawLoc, "expected dense unsigned integer codes, "
                                    "got ")
           << raw;
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped)
    return parser.emitError(rawLoc, "expected a tensor type after 'as', got ")
           << type;
  auto value = CodesAttr::getChecked([&] { return parser.emitError(rawLoc); },
                                     parser.getContext(), rawCodes, shaped);
  if (!value)
    return failure();
  result.getOrAddProperties<Properties>().value = value;
  result.addTypes(type);
  return success();
}

void ConstantOp::print(OpAsmPrinter &printer) {
  printer << " ";
  printer.printAttribute(getValue().getRaw());
  printer << " as " << getType();
  printer.printOptionalAttrDict((*this)->getAttrs(), {"value"});
}

//===----------------------------------------------------------------------===//
// QuantizeOp / DequantizeOp
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::verify() {
  auto inputType = getInput().getType();
  auto resultType = getResult().getType();
  if (failed(verifyTensorSize(*this, "input", inputType)))
    return failure();
  if (!shapesAgree(inputType.getShape(), resultType.getShape()))
    return emitOpError() << "result shape " << shapeStr(resultType.getShape())
                         << " differs from input shape "
                         << shapeStr(inputType.getShape());
  return verifyQuantParams(
      *this, "result", resultType, getScheme(),
      {getScales(), getZeros(), getNegScales(), getTensorScale()});
}

LogicalResult DequantizeOp::verify() {
  auto inputType = getInput().getType();
  auto resultType = getResult().getType();
  if (failed(verifyTensorSize(*this, "input", inputType)))
    return failure();
  if (!shapesAgree(inputType.getShape(), resultType.getShape()))
    return emitOpError() << "result shape " << shapeStr(resultType.getShape())
                         << " differs from input shape "
                         << shapeStr(inputType.getShape());
  return verifyQuantParams(
      *this, "input", inputType, getScheme(),
      {getScales(), getZeros(), getNegScales(), getTensorScale()});
}

//===----------------------------------------------------------------------===//
// PackOp / UnpackOp
//===----------------------------------------------------------------------===//

/// Checks that `codesType` packs into `wordsType` under `layout`.
static LogicalResult verifyPacking(Operation *op, RankedTensorType codesType,
                                   RankedTensorType wordsType,
                                   LayoutAttr layout) {
  std::optional<numerics::Format> format =
      getElementFormat(codesType.getElementType());
  if (!format)
    return op->emitOpError()
           << "cannot pack element type " << codesType.getElementType();
  if (format->bits() != layout.getBits())
    return op->emitOpError() << "layout packs " << layout.getBits()
                             << "-bit codes but " << codesType.getElementType()
                             << " codes are " << format->bits() << " bits wide";
  if (wordsType.getElementType().getIntOrFloatBitWidth() != layout.getWord())
    return op->emitOpError()
           << "layout packs into " << layout.getWord()
           << "-bit words but the packed tensor has element type "
           << wordsType.getElementType();
  if (failed(verifyTensorSize(op, "code tensor", codesType)))
    return failure();
  if (codesType.getRank() < 1 || codesType.getRank() != wordsType.getRank())
    return op->emitOpError() << "packed tensor rank " << wordsType.getRank()
                             << " must equal the code tensor rank "
                             << codesType.getRank() << " (at least 1)";
  SmallVector<int64_t> expected(codesType.getShape());
  int64_t &rowLength = expected.back();
  if (!ShapedType::isDynamic(rowLength))
    rowLength = layout.getWordsPerRow(rowLength);
  if (!shapesAgree(wordsType.getShape(), expected))
    return op->emitOpError()
           << "packed tensor has shape " << shapeStr(wordsType.getShape())
           << " but codes of shape " << shapeStr(codesType.getShape())
           << " pack into " << shapeStr(expected);
  return success();
}

LogicalResult PackOp::verify() {
  return verifyPacking(*this, getInput().getType(), getResult().getType(),
                       getLayout());
}

LogicalResult UnpackOp::verify() {
  return verifyPacking(*this, getResult().getType(), getInput().getType(),
                       getLayout());
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

Type MatmulOp::getAccumulatorType() {
  if (std::optional<Type> acc = getAcc())
    return *acc;
  return Float32Type::get(getContext());
}

RankedTensorType MatmulOp::getLogicalWeightType() {
  RankedTensorType stored = getWeights().getType();
  if (!isPacked() || !getWeightType() || stored.getRank() != 2)
    return stored;
  return RankedTensorType::get(
      {stored.getDimSize(0), getInput().getType().getShape().back()},
      *getWeightType());
}

int64_t MatmulOp::getReductionSize() {
  ArrayRef<int64_t> shape = getLogicalWeightType().getShape();
  return getTransposeB() ? shape[1] : shape[0];
}

int64_t MatmulOp::getOutputSize() {
  ArrayRef<int64_t> shape = getLogicalWeightType().getShape();
  return getTransposeB() ? shape[0] : shape[1];
}

static bool dimsConflict(int64_t a, int64_t b) {
  return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
}

/// Checks the epilogue operands' shapes and the epilogue block's arguments.
static LogicalResult verifyEpilogueSignature(MatmulOp op) {
  RankedTensorType resultType = op.getResult().getType();
  ArrayRef<int64_t> resultShape = resultType.getShape();
  int64_t n = op.getOutputSize();
  for (auto [index, operand] : llvm::enumerate(op.getEpilogueOperands())) {
    auto type = cast<RankedTensorType>(operand.getType());
    bool isRow = type.getRank() == 1 && !dimsConflict(type.getDimSize(0), n);
    if (!isRow && !shapesAgree(type.getShape(), resultShape))
      return op.emitOpError()
             << "epilogue operand #" << index << " has shape "
             << shapeStr(type.getShape()) << " but must be [" << n
             << "] (broadcast over rows) or the result shape "
             << shapeStr(resultShape);
  }
  Block *block = op.getEpilogueBlock();
  if (!block) {
    if (!op.getEpilogueOperands().empty())
      return op.emitOpError()
             << "has epilogue operands but no epilogue region to use them";
    return success();
  }
  unsigned expected = 1 + op.getEpilogueOperands().size();
  if (block->getNumArguments() != expected)
    return op.emitOpError()
           << "epilogue block must have " << expected
           << " arguments (the accumulator, then one per epilogue operand), "
              "got "
           << block->getNumArguments();
  Type acc = op.getAccumulatorType();
  if (block->getArgument(0).getType() != acc)
    return op.emitOpError()
           << "epilogue argument #0 must have the accumulator type " << acc
           << ", got " << block->getArgument(0).getType();
  for (auto [index, operand] : llvm::enumerate(op.getEpilogueOperands())) {
    Type element = cast<RankedTensorType>(operand.getType()).getElementType();
    Type argType = block->getArgument(index + 1).getType();
    if (argType != element)
      return op.emitOpError()
             << "epilogue argument #" << index + 1
             << " must have the element type " << element
             << " of epilogue operand #" << index << ", got " << argType;
  }
  return success();
}

/// Checks the packed weights of the scheduled form against the layout.
static LogicalResult verifyPackedWeights(MatmulOp op) {
  LayoutAttr layout = op.getLayoutAttr();
  std::optional<Type> weightType = op.getWeightType();
  if (static_cast<bool>(layout) != weightType.has_value())
    return op.emitOpError() << "packed weights need both a layout and a "
                               "weight type";
  if (!layout)
    return success();
  RankedTensorType stored = op.getWeights().getType();
  if (!op.getTransposeB())
    return op.emitOpError() << "packed weights must be stored [N, K] "
                               "(transpose_b)";
  std::optional<numerics::Format> format = getElementFormat(*weightType);
  if (!format || !isQuantElementType(*weightType))
    return op.emitOpError()
           << "weight type " << *weightType << " is not a low-bit element type";
  if (format->bits() != layout.getBits())
    return op.emitOpError()
           << "layout packs " << layout.getBits() << "-bit codes but "
           << *weightType << " codes are " << format->bits() << " bits wide";
  auto word = dyn_cast<IntegerType>(stored.getElementType());
  if (!word || !word.isSignless() || word.getWidth() != layout.getWord())
    return op.emitOpError()
           << "packed weights must be i" << layout.getWord()
           << " words of the layout, got " << stored.getElementType();
  if (stored.getRank() != 2)
    return op.emitOpError()
           << "packed weights must have rank 2, got rank " << stored.getRank();
  int64_t k = op.getInput().getType().getShape().back();
  if (!ShapedType::isDynamic(k) &&
      !ShapedType::isDynamic(stored.getDimSize(1)) &&
      stored.getDimSize(1) != layout.getWordsPerRow(k))
    return op.emitOpError() << "packed weights have " << stored.getDimSize(1)
                            << " words per row but K = " << k << " packs into "
                            << layout.getWordsPerRow(k);
  return success();
}

LogicalResult MatmulOp::verify() {
  // Before verifyPackedWeights computes the packed row length from K.
  if (failed(verifyTensorSize(*this, "input", getInput().getType())) ||
      failed(verifyTensorSize(*this, "weight", getWeights().getType())) ||
      failed(verifyTensorSize(*this, "result", getResult().getType())))
    return failure();
  if (failed(verifyPackedWeights(*this)))
    return failure();
  if (getLutAttr() && getStrategy() != Strategy::Lut)
    return emitOpError() << "lut table options " << getLutAttr()
                         << " need strategy lut";
  if (!isPacked() &&
      !isQuantElementType(getWeights().getType().getElementType()))
    return emitOpError() << "weights must have a low-bit element type unless "
                            "packed, got "
                         << getWeights().getType().getElementType();
  RankedTensorType inputType = getInput().getType();
  RankedTensorType weightType = getLogicalWeightType();
  RankedTensorType resultType = getResult().getType();
  int64_t rank = inputType.getRank();
  if (rank != 2 && rank != 3)
    return emitOpError() << "input must be [M, K] or [B, M, K], got rank "
                         << rank;
  if (weightType.getRank() != 2)
    return emitOpError() << "weights must have rank 2, got rank "
                         << weightType.getRank();
  if (resultType.getRank() != rank)
    return emitOpError() << "result rank " << resultType.getRank()
                         << " must equal the input rank " << rank;
  StringRef weightLayout = getTransposeB() ? "[N, K] (transpose_b)" : "[K, N]";
  int64_t k = getReductionSize(), n = getOutputSize();
  ArrayRef<int64_t> in = inputType.getShape(), out = resultType.getShape();
  if (dimsConflict(in.back(), k))
    return emitOpError() << "input reduction dimension " << in.back()
                         << " does not match K = " << k
                         << " of the weights stored " << weightLayout;
  if (dimsConflict(out.back(), n))
    return emitOpError() << "result dimension " << out.back()
                         << " does not match N = " << n
                         << " of the weights stored " << weightLayout;
  for (int64_t dim = 0; dim < rank - 1; ++dim)
    if (dimsConflict(in[dim], out[dim]))
      return emitOpError() << "result dimension " << dim << " (" << out[dim]
                           << ") does not match input dimension " << dim << " ("
                           << in[dim] << ")";
  Type acc = getAccumulatorType();
  if (!acc.isF32() && !acc.isF16())
    return emitOpError() << "accumulator type must be f32 or f16, got " << acc;
  if (Value bias = getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getRank() != 1 || dimsConflict(biasType.getDimSize(0), n))
      return emitOpError() << "bias must have shape [" << n << "], got "
                           << shapeStr(biasType.getShape());
    if (biasType.getElementType() != resultType.getElementType())
      return emitOpError() << "bias element type " << biasType.getElementType()
                           << " must match the result element type "
                           << resultType.getElementType();
  }
  if (failed(verifyEpilogueSignature(*this)))
    return failure();
  return verifyQuantParams(
      *this, "weight", weightType, getScheme(),
      {getScales(), getZeros(), getNegScales(), getTensorScale()});
}

//===----------------------------------------------------------------------===//
// MatmulOp epilogue
//===----------------------------------------------------------------------===//

Block *MatmulOp::getEpilogueBlock() {
  return getEpilogue().empty() ? nullptr : &getEpilogue().front();
}

std::optional<std::string> MatmulOp::getEpilogueViolation(Operation *op) {
  std::string reason;
  llvm::raw_string_ostream os(reason);
  os << "'" << op->getName() << "' is not allowed: ";
  if (!isa_and_present<arith::ArithDialect, math::MathDialect>(
          op->getDialect())) {
    os << "an epilogue holds only arith and math ops";
    return reason;
  }
  auto isNonScalar = [](Type type) {
    return !type.isSignlessIntOrIndexOrFloat();
  };
  auto types =
      llvm::concat<const Type>(op->getOperandTypes(), op->getResultTypes());
  if (auto it = llvm::find_if(types, isNonScalar); it != types.end()) {
    os << "it has a value of non-scalar type '" << *it << "'";
    return reason;
  }
  if (!isMemoryEffectFree(op)) {
    os << "it has side effects";
    return reason;
  }
  return std::nullopt;
}

LogicalResult MatmulOp::verifyRegions() {
  Block *block = getEpilogueBlock();
  if (!block)
    return success();
  auto yield = dyn_cast<YieldOp>(block->getTerminator());
  if (!yield)
    return emitOpError() << "epilogue must end in lowbit.yield";
  Type resultElement = getResult().getType().getElementType();
  if (yield.getValue().getType() != resultElement) {
    InFlightDiagnostic diag =
        emitOpError() << "epilogue yields " << yield.getValue().getType()
                      << " but the result element type is " << resultElement;
    diag.attachNote(yield.getLoc()) << "yielded here";
    return diag;
  }
  for (Operation &op : block->without_terminator()) {
    if (std::optional<std::string> violation = getEpilogueViolation(&op)) {
      InFlightDiagnostic diag = emitOpError() << "epilogue op " << *violation;
      diag.attachNote(op.getLoc()) << "see the op here";
      return diag;
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulOp syntax
//===----------------------------------------------------------------------===//

// Syntax: `%x, %w, %s [zeros %z] [neg_scales %n] [tensor_scale %t] [bias %b]
// scheme <...> [transpose_b] [acc(type)] [epilogue[(%e, ... : types)] region]
// attr-dict : functional-type(operands, results)`.
ParseResult MatmulOp::parse(OpAsmParser &parser, OperationState &result) {
  using Operand = OpAsmParser::UnresolvedOperand;
  SmallVector<Operand> operands(3);
  if (parser.parseOperand(operands[0]) || parser.parseComma() ||
      parser.parseOperand(operands[1]) || parser.parseComma() ||
      parser.parseOperand(operands[2]))
    return failure();
  // Segment sizes: input, weights, scales, zeros, neg_scales, tensor_scale,
  // bias, epilogue operands.
  std::array<int32_t, 8> segments = {1, 1, 1, 0, 0, 0, 0, 0};
  // A named array: an ArrayRef of a braced list inside the range-for would
  // outlive the list.
  static constexpr StringLiteral kOptionalOperands[] = {
      "zeros", "neg_scales", "tensor_scale", "bias"};
  for (auto [index, keyword] : llvm::enumerate(kOptionalOperands)) {
    if (failed(parser.parseOptionalKeyword(keyword)))
      continue;
    if (parser.parseOperand(operands.emplace_back()))
      return failure();
    segments[3 + index] = 1;
  }

  Properties &props = result.getOrAddProperties<Properties>();
  SchemeAttr scheme;
  if (parser.parseKeyword("scheme") ||
      parser.parseCustomAttributeWithFallback(scheme, Type{}))
    return failure();
  props.scheme = scheme;
  if (succeeded(parser.parseOptionalKeyword("transpose_b")))
    props.transposeB = parser.getBuilder().getUnitAttr();
  if (succeeded(parser.parseOptionalKeyword("strategy"))) {
    SMLoc loc = parser.getCurrentLocation();
    StringRef name;
    if (parser.parseKeyword(&name))
      return failure();
    std::optional<Strategy> strategy = symbolizeStrategy(name);
    if (!strategy)
      return parser.emitError(loc, "strategy '")
             << name << "' is not one of dequant, int8_dot, lut, bf16_dot";
    props.strategy = StrategyAttr::get(parser.getContext(), *strategy);
    // lut<group = G, exact = B>: the table options.
    if (*strategy == Strategy::Lut &&
        succeeded(parser.parseOptionalLess())) {
      int64_t group = 4;
      bool exact = false;
      bool first = true;
      while (failed(parser.parseOptionalGreater())) {
        if (!first && parser.parseComma())
          return failure();
        first = false;
        SMLoc keyLoc = parser.getCurrentLocation();
        StringRef key;
        if (parser.parseKeyword(&key) || parser.parseEqual())
          return failure();
        if (key == "group") {
          if (parser.parseInteger(group))
            return failure();
        } else if (key == "exact") {
          StringRef value;
          SMLoc valueLoc = parser.getCurrentLocation();
          if (parser.parseKeyword(&value))
            return failure();
          if (value != "true" && value != "false")
            return parser.emitError(valueLoc, "expected true or false");
          exact = value == "true";
        } else {
          return parser.emitError(keyLoc, "lut takes 'group' and 'exact', not '")
                 << key << "'";
        }
      }
      props.lut = LutAttr::getChecked(
          [&] { return parser.emitError(loc); }, parser.getContext(), group,
          exact);
      if (!props.lut)
        return failure();
    }
  }
  if (succeeded(parser.parseOptionalKeyword("packed"))) {
    Type weightType;
    LayoutAttr layout;
    if (parser.parseType(weightType) || parser.parseKeyword("layout") ||
        parser.parseCustomAttributeWithFallback(layout, Type{}))
      return failure();
    props.weightType = TypeAttr::get(weightType);
    props.layout = layout;
  }
  if (succeeded(parser.parseOptionalKeyword("acc"))) {
    Type acc;
    if (parser.parseLParen() || parser.parseType(acc) || parser.parseRParen())
      return failure();
    props.acc = TypeAttr::get(acc);
  }

  Region *epilogue = result.addRegion();
  SmallVector<Type> epilogueTypes;
  SMLoc epilogueLoc = parser.getCurrentLocation();
  if (succeeded(parser.parseOptionalKeyword("epilogue"))) {
    if (succeeded(parser.parseOptionalLParen())) {
      size_t first = operands.size();
      if (parser.parseOperandList(operands))
        return failure();
      segments[7] = operands.size() - first;
      if (segments[7] != 0 && parser.parseColonTypeList(epilogueTypes))
        return failure();
      if (parser.parseRParen())
        return failure();
      if (epilogueTypes.size() != static_cast<size_t>(segments[7]))
        return parser.emitError(epilogueLoc)
               << "expected " << segments[7] << " epilogue operand types, got "
               << epilogueTypes.size();
      // A region-less `epilogue(...)` parses so that the verifier can say
      // what is missing.
      OptionalParseResult region = parser.parseOptionalRegion(*epilogue);
      if (region.has_value() && failed(*region))
        return failure();
    } else if (parser.parseRegion(*epilogue)) {
      return failure();
    }
  }

  SMLoc attrLoc = parser.getCurrentLocation();
  if (parser.parseOptionalAttrDict(result.attributes) ||
      failed(verifyInherentAttrs(result.name, result.attributes, [&] {
        return parser.emitError(attrLoc)
               << "'" << result.name.getStringRef() << "' op ";
      })))
    return failure();

  SMLoc typeLoc = parser.getCurrentLocation();
  FunctionType type;
  if (parser.parseColonType(type))
    return failure();
  ArrayRef<Type> inputTypes = type.getInputs();
  if (inputTypes.size() == operands.size() &&
      inputTypes.take_back(epilogueTypes.size()) != ArrayRef(epilogueTypes))
    return parser.emitError(typeLoc)
           << "the functional type gives the epilogue operands types ("
           << inputTypes.take_back(epilogueTypes.size())
           << ") that differ from their types in the epilogue group ("
           << ArrayRef(epilogueTypes) << ")";
  result.getOrAddProperties<Properties>().operandSegmentSizes = segments;
  result.addTypes(type.getResults());
  return parser.resolveOperands(operands, inputTypes, typeLoc, result.operands);
}

void MatmulOp::print(OpAsmPrinter &printer) {
  printer << ' ' << getInput() << ", " << getWeights() << ", " << getScales();
  for (auto [keyword, value] :
       {std::pair<StringRef, Value>{"zeros", getZeros()},
        {"neg_scales", getNegScales()},
        {"tensor_scale", getTensorScale()},
        {"bias", getBias()}})
    if (value)
      printer << ' ' << keyword << ' ' << value;
  printer << " scheme ";
  printer.printStrippedAttrOrType(getScheme());
  if (getTransposeB())
    printer << " transpose_b";
  if (std::optional<Strategy> strategy = getStrategy()) {
    printer << " strategy " << stringifyStrategy(*strategy);
    if (LutAttr lut = getLutAttr(); lut && *strategy == Strategy::Lut)
      printer << "<group = " << lut.getGroup()
              << ", exact = " << (lut.getExact() ? "true" : "false") << ">";
  }
  if (getLayoutAttr() && getWeightType()) {
    printer << " packed " << *getWeightType() << " layout ";
    printer.printStrippedAttrOrType(getLayoutAttr());
  }
  if (std::optional<Type> acc = getAcc())
    printer << " acc(" << *acc << ")";
  if (!getEpilogue().empty() || !getEpilogueOperands().empty()) {
    printer << " epilogue";
    if (!getEpilogueOperands().empty()) {
      printer << '(';
      printer.printOperands(getEpilogueOperands());
      printer << " : ";
      llvm::interleaveComma(getEpilogueOperands().getTypes(), printer);
      printer << ')';
    }
    if (!getEpilogue().empty()) {
      printer << ' ';
      printer.printRegion(getEpilogue(), /*printEntryBlockArgs=*/true,
                          /*printBlockTerminators=*/true);
    }
  }
  SmallVector<StringRef> elided = {getOperandSegmentSizesAttrName(),
                                   getSchemeAttrName(), getTransposeBAttrName(),
                                   getAccAttrName(), getStrategyAttrName()};
  // Layout and weight type print as the `packed` pair; alone (invalid IR
  // printed generically) they stay in the dictionary.
  if (getLayoutAttr() && getWeightType())
    elided.append({getLayoutAttrName(), getWeightTypeAttrName()});
  if (getStrategy() == Strategy::Lut)
    elided.push_back(getLutAttrName());
  printer.printOptionalAttrDict((*this)->getAttrs(), elided);
  printer << " : ";
  printer.printFunctionalType(getOperation()->getOperandTypes(),
                              getOperation()->getResultTypes());
}
