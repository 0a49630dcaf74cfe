//===- ImportToMlir.cpp - Imported weights to a lowbit module -------------===//
//
// One function per QuantizedLinear. Weights are built as DenseElementsAttr
// constants (the dialect's folders read those, not dense_resource blobs), the
// codes packed into i32 words so a 4-bit [N, K] tensor costs N * K / 2 bytes
// of IR rather than one attribute element per code.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Import/ImportToMlir.h"

#include "lowbit/Dialect/Lowbit/IR/ElementFormat.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Numerics/Pack.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>

using namespace mlir;
using namespace lowbit;
using namespace lowbit::import;

std::optional<ActivationType>
lowbit::import::parseActivationType(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<ActivationType>>(name)
      .Case("f16", ActivationType::F16)
      .Case("bf16", ActivationType::BF16)
      .Case("f32", ActivationType::F32)
      .Default(std::nullopt);
}

std::vector<std::string>
lowbit::import::getFunctionNames(const ImportedModel &model) {
  std::vector<std::string> names;
  llvm::StringSet<> taken;
  for (const QuantizedLinear &linear : model.linears) {
    std::string base;
    for (char c : linear.name)
      base += llvm::isAlnum(c) || c == '_' ? c : '_';
    if (base.empty() || llvm::isDigit(base[0]))
      base = "_" + base;
    std::string name = base;
    for (unsigned suffix = 1; !taken.insert(name).second; ++suffix)
      name = base + "_" + std::to_string(suffix);
    names.push_back(std::move(name));
  }
  return names;
}

/// The MLIR element type of a weight format: a builtin type where one
/// stands for it, else the dialect's; null for formats that are no element
/// type (e8m0).
static Type getWeightElementType(MLIRContext &context,
                                 const numerics::Format &format) {
  using numerics::FormatKind;
  switch (format.kind()) {
  case FormatKind::SignedInt:
    return IntegerType::get(&context, format.bits(), IntegerType::Signed);
  case FormatKind::UnsignedInt:
    return IntegerType::get(&context, format.bits(), IntegerType::Unsigned);
  case FormatKind::Ternary:
    return TernaryType::get(&context);
  case FormatKind::Codebook:
    if (format == numerics::Format::nf4())
      return CodebookType::getNF4(&context);
    return CodebookType::get(&context, format.bits(),
                             DenseF64ArrayAttr::get(&context, format.table()));
  case FormatKind::ExponentOnly:
    return Type();
  case FormatKind::Float:
    break;
  }
  // The builtin float types whose numerics format this is.
  Builder builder(&context);
  for (Type builtin : {Type(builder.getType<Float4E2M1FNType>()),
                       Type(builder.getType<Float6E2M3FNType>()),
                       Type(builder.getType<Float6E3M2FNType>()),
                       Type(builder.getType<Float8E4M3FNType>()),
                       Type(builder.getType<Float8E5M2Type>())})
    if (getElementFormat(builtin) == format)
      return builtin;
  const numerics::FloatSpec &spec = format.floatSpec();
  FloatConvention convention = FloatConvention::Finite;
  if (spec.convention == numerics::FloatConvention::IEEE)
    convention = FloatConvention::IEEE;
  else if (spec.convention == numerics::FloatConvention::FiniteNaN)
    convention = FloatConvention::FN;
  return FloatCodeType::get(&context, spec.exponentBits, spec.mantissaBits,
                            convention, spec.bias);
}

static Type getScaleElementType(MLIRContext &context,
                                numerics::ScaleType type) {
  Builder builder(&context);
  switch (type) {
  case numerics::ScaleType::F32:
    return builder.getF32Type();
  case numerics::ScaleType::F16:
    return builder.getF16Type();
  case numerics::ScaleType::BF16:
    return builder.getBF16Type();
  case numerics::ScaleType::E8M0:
    return builder.getType<Float8E8M0FNUType>();
  case numerics::ScaleType::E4M3:
    return builder.getType<Float8E4M3FNType>();
  }
  return Type();
}

static Type getActivationElementType(MLIRContext &context,
                                     ActivationType type) {
  Builder builder(&context);
  switch (type) {
  case ActivationType::F16:
    return builder.getF16Type();
  case ActivationType::BF16:
    return builder.getBF16Type();
  case ActivationType::F32:
    return builder.getF32Type();
  }
  return Type();
}

static lowbit::ZeroPointMode getZeroPointMode(numerics::ZeroPointMode mode) {
  switch (mode) {
  case numerics::ZeroPointMode::None:
    return lowbit::ZeroPointMode::None;
  case numerics::ZeroPointMode::Integer:
    return lowbit::ZeroPointMode::Int;
  case numerics::ZeroPointMode::Float:
    return lowbit::ZeroPointMode::Float;
  case numerics::ZeroPointMode::AsymFloat:
    return lowbit::ZeroPointMode::AsymFp;
  }
  return lowbit::ZeroPointMode::None;
}

namespace {
/// Builds the function of one linear, after checking it is consistent.
class LinearBuilder {
public:
  LinearBuilder(OpBuilder &builder, const QuantizedLinear &linear,
                const ImportOptions &options)
      : builder(builder), context(*builder.getContext()), linear(linear),
        options(options),
        loc(NameLoc::get(
            builder.getStringAttr(linear.name),
            FileLineColLoc::get(builder.getContext(), linear.origin, 0, 0))) {}

  LogicalResult build(StringRef name);

private:
  LogicalResult verifyLinear();
  Value buildWeights(Type elementType);
  Value buildReals(ArrayRef<double> values, ArrayRef<int64_t> shape,
                   Type elementType);
  Value buildIntegerZeros(ArrayRef<int64_t> shape);
  Value gatherColumns(Value x);

  InFlightDiagnostic emitError() {
    return mlir::emitError(loc) << "linear '" << linear.name << "': ";
  }

  OpBuilder &builder;
  MLIRContext &context;
  const QuantizedLinear &linear;
  const ImportOptions &options;
  Location loc;
};
} // namespace

LogicalResult LinearBuilder::verifyLinear() {
  const int64_t n = linear.n, k = linear.k;
  if (n < 1 || k < 1)
    return emitError() << "the weight shape [" << n << ", " << k
                       << "] must be positive";
  if (linear.codes.size() != uint64_t(n) * uint64_t(k))
    return emitError() << "has " << linear.codes.size()
                       << " codes; expected N * K = " << n * k;
  std::string error =
      numerics::verifyScheme({n, k}, linear.format, linear.scheme);
  if (!error.empty())
    return emitError() << error;
  if (linear.scheme.groupShape[0] != 1)
    return emitError() << "groups must lie along K (group [1, G]), got "
                       << linear.scheme.groupShape[0] << " rows";
  uint32_t numCodes = linear.format.numCodes();
  for (size_t i = 0; i < linear.codes.size(); ++i) {
    uint32_t code = linear.codes[i];
    bool invalidTernary =
        linear.format.kind() == numerics::FormatKind::Ternary && code == 3;
    if (code >= numCodes || invalidTernary)
      return emitError() << "code " << code << " at index " << i
                         << " is not a valid " << linear.format.name()
                         << " code";
  }
  size_t groups = size_t(n) * size_t(k / linear.scheme.groupShape[1]);
  numerics::ZeroPointMode mode = linear.scheme.zeroPoint;
  bool needsZeros = mode == numerics::ZeroPointMode::Integer ||
                    mode == numerics::ZeroPointMode::Float;
  auto checkCount = [&](const std::vector<double> &values, bool needed,
                        StringRef what) -> LogicalResult {
    size_t expected = needed ? groups : 0;
    if (values.size() == expected)
      return success();
    return emitError() << "has " << values.size() << " " << what
                       << "; expected " << expected;
  };
  if (failed(checkCount(linear.params.scales, true, "scales")) ||
      failed(checkCount(linear.params.zeros, needsZeros, "zeros")) ||
      failed(checkCount(linear.params.negScales,
                        mode == numerics::ZeroPointMode::AsymFloat,
                        "negative scales")))
    return failure();
  if (mode == numerics::ZeroPointMode::Integer)
    for (double zero : linear.params.zeros)
      if (!(std::trunc(zero) == zero && std::fabs(zero) < 2147483648.0))
        return emitError() << "integer zero point " << zero
                           << " is not an int32 integer";
  if (!linear.inputPermutation.empty()) {
    if (int64_t(linear.inputPermutation.size()) != k)
      return emitError() << "the input permutation has "
                         << linear.inputPermutation.size()
                         << " entries; expected K = " << k;
    std::vector<bool> seen(size_t(k), false);
    for (int64_t column : linear.inputPermutation) {
      if (column < 0 || column >= k || seen[size_t(column)])
        return emitError() << "the input permutation is not a permutation "
                              "of 0..K-1 (entry "
                           << column << ")";
      seen[size_t(column)] = true;
    }
  }
  if (options.m != ShapedType::kDynamic && options.m < 1)
    return emitError() << "M = " << options.m
                       << " rows of activations; expected a positive count";
  return success();
}

Value LinearBuilder::buildWeights(Type elementType) {
  const int64_t n = linear.n, k = linear.k;
  numerics::PackLayout layout;
  layout.bits = linear.format.bits();
  layout.wordBits = 32;
  std::vector<uint32_t> codes(linear.codes.begin(), linear.codes.end());
  std::vector<uint64_t> words = numerics::pack(codes, n, k, layout);
  std::vector<uint32_t> words32(words.begin(), words.end());
  words.clear();
  auto wordsType = RankedTensorType::get({n, layout.wordsPerRow(k)},
                                         builder.getIntegerType(32));
  Value packed = arith::ConstantOp::create(
      builder, loc,
      DenseElementsAttr::get(wordsType, llvm::ArrayRef<uint32_t>(words32)));
  LayoutAttr layoutAttr = getLayoutAttr(&context, layout);
  return UnpackOp::create(builder, loc,
                          RankedTensorType::get({n, k}, elementType), packed,
                          layoutAttr);
}

Value LinearBuilder::buildReals(ArrayRef<double> values,
                                ArrayRef<int64_t> shape, Type elementType) {
  auto type = RankedTensorType::get(shape, elementType);
  return arith::ConstantOp::create(builder, loc, buildRealsAttr(type, values));
}

Value LinearBuilder::buildIntegerZeros(ArrayRef<int64_t> shape) {
  std::vector<int32_t> zeros(linear.params.zeros.begin(),
                             linear.params.zeros.end());
  auto type = RankedTensorType::get(shape, builder.getIntegerType(32));
  return arith::ConstantOp::create(
      builder, loc, DenseElementsAttr::get(type, llvm::ArrayRef(zeros)));
}

/// xp[m, k] = x[m, perm[k]], as a linalg.generic reading x by tensor.extract.
Value LinearBuilder::gatherColumns(Value x) {
  auto xType = cast<RankedTensorType>(x.getType());
  const int64_t k = linear.k;
  auto permType = RankedTensorType::get({k}, builder.getIndexType());
  SmallVector<APInt> perm;
  for (int64_t column : linear.inputPermutation)
    perm.emplace_back(IndexType::kInternalStorageBitWidth, column);
  Value permutation = arith::ConstantOp::create(
      builder, loc, DenseElementsAttr::get(permType, perm));
  SmallVector<Value> dynamicSizes;
  if (xType.isDynamicDim(0))
    dynamicSizes.push_back(tensor::DimOp::create(builder, loc, x, 0));
  Value init = tensor::EmptyOp::create(builder, loc, xType.getShape(),
                                       xType.getElementType(), dynamicSizes);
  AffineExpr m = builder.getAffineDimExpr(0), col = builder.getAffineDimExpr(1);
  SmallVector<AffineMap> maps = {AffineMap::get(2, 0, {col}, &context),
                                 AffineMap::get(2, 0, {m, col}, &context)};
  SmallVector<utils::IteratorType> iterators(2, utils::IteratorType::parallel);
  auto gather = linalg::GenericOp::create(
      builder, loc, TypeRange{xType}, ValueRange{permutation}, ValueRange{init},
      maps, iterators, [&](OpBuilder &body, Location bodyLoc, ValueRange args) {
        Value row = linalg::IndexOp::create(body, bodyLoc, 0);
        Value element = tensor::ExtractOp::create(body, bodyLoc, x,
                                                  ValueRange{row, args[0]});
        linalg::YieldOp::create(body, bodyLoc, element);
      });
  return gather.getResult(0);
}

LogicalResult LinearBuilder::build(StringRef name) {
  if (failed(verifyLinear()))
    return failure();
  Type weightType = getWeightElementType(context, linear.format);
  if (!weightType || getElementFormat(weightType) != linear.format)
    return emitError() << "format " << linear.format.name()
                       << " is not a weight element type";
  Type act = getActivationElementType(context, options.activation);
  Type scaleType = getScaleElementType(context, linear.scheme.scaleType);
  const int64_t n = linear.n, k = linear.k;
  auto xType = RankedTensorType::get({options.m, k}, act);
  auto yType = RankedTensorType::get({options.m, n}, act);
  auto func = func::FuncOp::create(builder, loc, name,
                                   builder.getFunctionType({xType}, {yType}));
  func->setAttr("lowbit.tensor", builder.getStringAttr(linear.name));
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(func.addEntryBlock());

  Value x = func.getArgument(0);
  if (!linear.inputPermutation.empty())
    x = gatherColumns(x);
  Value weights = buildWeights(weightType);
  SmallVector<int64_t> grid = {n, k / linear.scheme.groupShape[1]};
  Value scales = buildReals(linear.params.scales, grid, scaleType);
  Value zeros, negScales, tensorScale;
  switch (linear.scheme.zeroPoint) {
  case numerics::ZeroPointMode::None:
    break;
  case numerics::ZeroPointMode::Integer:
    zeros = buildIntegerZeros(grid);
    break;
  case numerics::ZeroPointMode::Float:
    zeros = buildReals(linear.params.zeros, grid, scaleType);
    break;
  case numerics::ZeroPointMode::AsymFloat:
    negScales = buildReals(linear.params.negScales, grid, scaleType);
    break;
  }
  Type tensorScaleType;
  if (linear.scheme.tensorScale) {
    tensorScaleType = builder.getF32Type();
    tensorScale = buildReals({linear.params.tensorScale}, {}, tensorScaleType);
  }
  auto scheme = SchemeAttr::get(&context, linear.scheme.groupShape, scaleType,
                                getZeroPointMode(linear.scheme.zeroPoint),
                                tensorScaleType);
  Value y =
      MatmulOp::create(builder, loc, yType, x, weights, scales, zeros,
                       negScales, tensorScale, /*bias=*/Value(),
                       /*epilogueOperands=*/ValueRange(), scheme,
                       /*transposeB=*/true, /*acc=*/TypeAttr(),
                       /*layout=*/LayoutAttr(), /*weightType=*/TypeAttr(),
                       /*strategy=*/StrategyAttr(), /*lut=*/LutAttr());
  func::ReturnOp::create(builder, loc, y);
  return success();
}

FailureOr<OwningOpRef<ModuleOp>>
lowbit::import::buildImportModule(MLIRContext &context,
                                  const ImportedModel &model,
                                  const ImportOptions &options) {
  context.loadDialect<arith::ArithDialect, func::FuncDialect,
                      linalg::LinalgDialect, LowbitDialect,
                      tensor::TensorDialect>();
  OpBuilder builder(&context);
  OwningOpRef<ModuleOp> module =
      ModuleOp::create(FileLineColLoc::get(&context, model.source, 0, 0));
  builder.setInsertionPointToEnd(module->getBody());
  std::vector<std::string> names = getFunctionNames(model);
  for (const auto &[linear, name] : llvm::zip_equal(model.linears, names))
    if (failed(LinearBuilder(builder, linear, options).build(name)))
      return failure();
  if (failed(verify(*module)))
    return failure();
  return module;
}
