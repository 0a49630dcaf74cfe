//===- LowbitFolders.cpp - Constant folding through the numerics library --===//
//
// Quantize, dequantize, pack and unpack of constants fold at compile time by
// calling the reference numerics library, so folded IR computes exactly what
// the runtime and the tests define.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/ElementFormat.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

using namespace mlir;
using namespace lowbit;

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

namespace {
/// Constant quantization parameters read from fold operands.
struct ConstantParams {
  numerics::Scheme scheme;
  numerics::QuantParams params;
};
} // namespace

/// Reads the constant parameter operands of a quantize or dequantize op; fails
/// when any present operand is not constant or the shape is not static.
template <typename AdaptorT>
static std::optional<ConstantParams>
readConstantParams(AdaptorT adaptor, SchemeAttr scheme,
                   RankedTensorType quantType, const numerics::Format &format) {
  if (!quantType.hasStaticShape())
    return std::nullopt;
  ConstantParams result;
  result.scheme = getNumericsScheme(scheme);
  if (!numerics::verifyScheme(quantType.getShape().vec(), format, result.scheme)
           .empty())
    return std::nullopt;
  auto scales = readReals(adaptor.getScales());
  if (!scales)
    return std::nullopt;
  result.params.scales = std::move(*scales);
  if (scheme.hasZeroPoints()) {
    auto zeros = readReals(adaptor.getZeros());
    if (!zeros)
      return std::nullopt;
    result.params.zeros = std::move(*zeros);
  }
  if (scheme.hasNegativeScales()) {
    auto negScales = readReals(adaptor.getNegScales());
    if (!negScales)
      return std::nullopt;
    result.params.negScales = std::move(*negScales);
  }
  if (scheme.getTensorScale()) {
    auto tensorScale = readReals(adaptor.getTensorScale());
    if (!tensorScale || tensorScale->size() != 1)
      return std::nullopt;
    result.params.tensorScale = tensorScale->front();
  }
  // The verifier ties static parameter shapes to the grid; check the counts
  // anyway, since the numerics library indexes them without bounds checks.
  size_t groups = 1;
  for (int64_t extent : scheme.getGridShape(quantType.getShape()))
    groups *= extent;
  auto wrongCount = [&](const std::vector<double> &values, bool used) {
    return used && values.size() != groups;
  };
  if (wrongCount(result.params.scales, true) ||
      wrongCount(result.params.zeros, scheme.hasZeroPoints()) ||
      wrongCount(result.params.negScales, scheme.hasNegativeScales()))
    return std::nullopt;
  return result;
}

OpFoldResult QuantizeOp::fold(FoldAdaptor adaptor) {
  RankedTensorType resultType = getResult().getType();
  std::optional<numerics::Format> format =
      getElementFormat(resultType.getElementType());
  std::optional<std::vector<double>> input = readReals(adaptor.getInput());
  if (!format || !input)
    return {};
  std::optional<ConstantParams> constants =
      readConstantParams(adaptor, getScheme(), resultType, *format);
  if (!constants)
    return {};
  std::vector<uint32_t> codes =
      numerics::quantize(*input, resultType.getShape().vec(), *format,
                         constants->scheme, constants->params);
  return buildCodesAttr(resultType, codes);
}

OpFoldResult DequantizeOp::fold(FoldAdaptor adaptor) {
  RankedTensorType inputType = getInput().getType();
  std::optional<numerics::Format> format =
      getElementFormat(inputType.getElementType());
  std::optional<std::vector<uint32_t>> codes = readCodes(adaptor.getInput());
  if (!format || !codes)
    return {};
  std::optional<ConstantParams> constants =
      readConstantParams(adaptor, getScheme(), inputType, *format);
  if (!constants)
    return {};
  std::vector<double> values =
      numerics::dequantize(*codes, inputType.getShape().vec(), *format,
                           constants->scheme, constants->params);
  return buildRealsAttr(getResult().getType(), values);
}

/// Rows and row length of a tensor packed along its innermost dimension.
static std::pair<int64_t, int64_t> rowsAndLength(RankedTensorType type) {
  int64_t length = type.getShape().back();
  return {length == 0 ? 0 : type.getNumElements() / length, length};
}

OpFoldResult PackOp::fold(FoldAdaptor adaptor) {
  RankedTensorType codesType = getInput().getType();
  RankedTensorType wordsType = getResult().getType();
  std::optional<std::vector<uint32_t>> codes = readCodes(adaptor.getInput());
  if (!codes || !codesType.hasStaticShape() || !wordsType.hasStaticShape())
    return {};
  auto [rows, length] = rowsAndLength(codesType);
  std::vector<uint64_t> words =
      numerics::pack(*codes, rows, length, getNumericsLayout(getLayout()));
  unsigned wordBits = getLayout().getWord();
  SmallVector<APInt> values;
  values.reserve(words.size());
  for (uint64_t word : words)
    values.emplace_back(wordBits, word);
  return DenseElementsAttr::get(wordsType, values);
}

OpFoldResult UnpackOp::fold(FoldAdaptor adaptor) {
  // unpack(pack(x)) with the same layout is x: padding is dropped again.
  if (auto pack = getInput().getDefiningOp<PackOp>())
    if (pack.getLayout() == getLayout() &&
        pack.getInput().getType() == getResult().getType())
      return pack.getInput();

  RankedTensorType codesType = getResult().getType();
  auto dense = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getInput());
  if (!dense || !codesType.hasStaticShape() ||
      !getInput().getType().hasStaticShape())
    return {};
  std::vector<uint64_t> words;
  words.reserve(dense.getNumElements());
  for (const APInt &word : dense.getValues<APInt>())
    words.push_back(word.getZExtValue());
  auto [rows, length] = rowsAndLength(codesType);
  std::vector<uint32_t> codes =
      numerics::unpack(words, rows, length, getNumericsLayout(getLayout()));
  return buildCodesAttr(codesType, codes);
}
