//===- LowbitAttrs.cpp - lowbit attributes -------------------------------===//

#include "lowbit/Dialect/Lowbit/IR/ElementFormat.h"
#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace lowbit;

#define GET_ATTRDEF_CLASSES
#include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.cpp.inc"

void LowbitDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// SchemeAttr
//===----------------------------------------------------------------------===//

LogicalResult SchemeAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 ArrayRef<int64_t> group, Type scale,
                                 ZeroPointMode zero, Type tensorScale) {
  if (group.empty())
    return emitError() << "scheme group shape must have at least one "
                          "dimension";
  for (auto [dim, extent] : llvm::enumerate(group))
    if (extent < 1)
      return emitError() << "scheme group extent " << extent << " in dimension "
                         << dim << " must be at least 1";
  if (!getScaleType(scale))
    return emitError() << "scheme scale type must be f32, f16, bf16, "
                          "f8E8M0FNU or f8E4M3FN, got "
                       << scale;
  if (tensorScale && !tensorScale.isF32())
    return emitError() << "scheme tensor scale type must be f32, got "
                       << tensorScale;
  if (zero == ZeroPointMode::Float && isa<Float8E8M0FNUType>(scale))
    return emitError() << "zero mode 'float' stores zero points in the scale "
                          "type, which cannot be f8E8M0FNU (it has no zero "
                          "or negative values)";
  return success();
}

Attribute SchemeAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  SmallVector<int64_t> group;
  Type scale;
  if (parser.parseLess() || parser.parseKeyword("group") ||
      parser.parseEqual() ||
      parser.parseCommaSeparatedList(
          AsmParser::Delimiter::Square,
          [&] { return parser.parseInteger(group.emplace_back()); }) ||
      parser.parseComma() || parser.parseKeyword("scale") ||
      parser.parseEqual() || parser.parseType(scale))
    return {};
  ZeroPointMode zero = ZeroPointMode::None;
  Type tensorScale;
  while (succeeded(parser.parseOptionalComma())) {
    if (succeeded(parser.parseOptionalKeyword("tensor_scale"))) {
      if (parser.parseEqual() || parser.parseType(tensorScale))
        return {};
      continue;
    }
    SMLoc keyLoc = parser.getCurrentLocation();
    StringRef mode;
    if (parser.parseKeyword("zero") || parser.parseEqual() ||
        parser.parseKeyword(&mode))
      return {};
    std::optional<ZeroPointMode> parsed = symbolizeZeroPointMode(mode);
    if (!parsed)
      return parser.emitError(keyLoc, "expected a zero mode ('none', 'int', "
                                      "'float' or 'asym_fp'), got '")
                 << mode << "'",
             Attribute();
    zero = *parsed;
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<SchemeAttr>(loc, parser.getContext(), group, scale,
                                       zero, tensorScale);
}

void SchemeAttr::print(AsmPrinter &printer) const {
  printer << "<group = [";
  llvm::interleaveComma(getGroup(), printer);
  printer << "], scale = " << getScale();
  if (getZero() != ZeroPointMode::None)
    printer << ", zero = " << stringifyZeroPointMode(getZero());
  if (getTensorScale())
    printer << ", tensor_scale = " << getTensorScale();
  printer << ">";
}

SmallVector<int64_t> SchemeAttr::getGridShape(ArrayRef<int64_t> shape) const {
  SmallVector<int64_t> grid;
  for (auto [dim, extent] : llvm::zip(shape, getGroup()))
    grid.push_back(ShapedType::isDynamic(dim) ? ShapedType::kDynamic
                                              : dim / extent);
  return grid;
}

//===----------------------------------------------------------------------===//
// LutAttr
//===----------------------------------------------------------------------===//

LogicalResult LutAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                              int64_t group, bool) {
  if (group != 1 && group != 2 && group != 4 && group != 8)
    return emitError() << "lut 'group = " << group
                       << "' must be 1, 2, 4 or 8 (tables split a byte of "
                          "weight bits evenly)";
  return success();
}

//===----------------------------------------------------------------------===//
// LayoutAttr
//===----------------------------------------------------------------------===//

LogicalResult LayoutAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 unsigned bits, unsigned word,
                                 ArrayRef<int64_t> order, bool aligned,
                                 unsigned lanes, unsigned planes,
                                 unsigned stripe, unsigned chunk,
                                 unsigned piece) {
  for (int64_t slot : order)
    if (slot < 0)
      return emitError() << "layout order entry " << slot
                         << " must be a slot index, not negative";
  if (lanes != 0 && !order.empty())
    return emitError() << "layout takes either 'lanes' or an explicit "
                          "'order', not both";
  if (lanes != 0 && !aligned)
    return emitError() << "layout 'lanes = " << lanes
                       << "' deals codes over whole words and needs 'aligned'";
  if (planes != 0 && (lanes != 0 || !order.empty() || aligned))
    return emitError() << "layout 'planes = " << planes
                       << "' is a bit-plane layout and takes no 'lanes', "
                          "'order' or 'aligned'";
  if ((stripe != 0) != (chunk != 0) || (stripe != 0) != (piece != 0))
    return emitError() << "layout 'stripe', 'chunk' and 'piece' go together; "
                          "got stripe = "
                       << stripe << ", chunk = " << chunk
                       << ", piece = " << piece;
  numerics::PackLayout layout;
  layout.bits = bits;
  layout.wordBits = word;
  layout.aligned = aligned;
  layout.order.assign(order.begin(), order.end());
  layout.planeRows = planes;
  layout.stripe = stripe;
  layout.stripeChunk = chunk;
  layout.stripePiece = piece;
  std::string error = numerics::verifyLayout(layout);
  if (!error.empty())
    return emitError() << "invalid layout: " << error;
  return success();
}

int64_t LayoutAttr::getPeriod() const {
  return getNumericsLayout(*this).period();
}

Attribute LayoutAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  unsigned bits = 0, word = 0, lanes = 0, planes = 0, stripe = 0, chunk = 0,
           piece = 0;
  bool aligned = false;
  SmallVector<int64_t> order;
  if (parser.parseLess() || parser.parseKeyword("bits") ||
      parser.parseEqual() || parser.parseInteger(bits) || parser.parseComma() ||
      parser.parseKeyword("word") || parser.parseEqual() ||
      parser.parseInteger(word))
    return {};
  while (succeeded(parser.parseOptionalComma())) {
    SMLoc keyLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key))
      return {};
    if (key == "aligned") {
      aligned = true;
    } else if (key == "lanes") {
      if (parser.parseEqual() || parser.parseInteger(lanes))
        return {};
    } else if (key == "planes") {
      if (parser.parseEqual() || parser.parseInteger(planes))
        return {};
    } else if (key == "stripe" || key == "chunk" || key == "piece") {
      unsigned &value = key == "stripe"  ? stripe
                        : key == "chunk" ? chunk
                                         : piece;
      if (parser.parseEqual() || parser.parseInteger(value))
        return {};
    } else if (key == "order") {
      if (parser.parseEqual() ||
          parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
            return parser.parseInteger(order.emplace_back());
          }))
        return {};
    } else {
      return parser.emitError(keyLoc,
                              "expected 'aligned', 'lanes', 'order', "
                              "'planes', 'stripe', 'chunk' or 'piece' in a "
                              "layout, got '")
                 << key << "'",
             Attribute();
    }
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<LayoutAttr>(loc, parser.getContext(), bits, word,
                                       order, aligned, lanes, planes, stripe,
                                       chunk, piece);
}

void LayoutAttr::print(AsmPrinter &printer) const {
  printer << "<bits = " << getBits() << ", word = " << getWord();
  if (getAligned())
    printer << ", aligned";
  if (getLanes() != 0)
    printer << ", lanes = " << getLanes();
  if (getPlanes() != 0)
    printer << ", planes = " << getPlanes();
  if (!getOrder().empty()) {
    printer << ", order = [";
    llvm::interleaveComma(getOrder(), printer);
    printer << "]";
  }
  if (getStripe() != 0)
    printer << ", stripe = " << getStripe() << ", chunk = " << getChunk()
            << ", piece = " << getPiece();
  printer << ">";
}

int64_t LayoutAttr::getWordsPerRow(int64_t rowLength) const {
  return getNumericsLayout(*this).wordsPerRow(rowLength);
}

//===----------------------------------------------------------------------===//
// CodesAttr
//===----------------------------------------------------------------------===//

LogicalResult CodesAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                DenseIntElementsAttr raw, ShapedType type) {
  std::optional<numerics::Format> format =
      getElementFormat(type.getElementType());
  if (!format ||
      !isa<FloatCodeType, CodebookType, TernaryType>(type.getElementType()))
    return emitError() << "codes attribute needs a tensor of a lowbit "
                          "element type (float, codebook or ternary), got "
                       << type;
  if (raw.getType().getShape() != type.getShape())
    return emitError() << "codes shape " << raw.getType()
                       << " does not match the tensor type " << type;
  auto rawElement = dyn_cast<IntegerType>(raw.getElementType());
  if (!rawElement || !rawElement.isUnsigned())
    return emitError() << "raw codes must be unsigned integers, got "
                       << raw.getElementType();
  for (auto [index, value] : llvm::enumerate(raw.getValues<APInt>())) {
    uint64_t code = value.getZExtValue();
    // Float codes may hold any bit pattern, inf and NaN included; other
    // formats have invalid codes (ternary 3) that decode to NaN.
    if (code >= format->numCodes() ||
        (format->kind() != numerics::FormatKind::Float &&
         std::isnan(format->decode(code))))
      return emitError() << "code " << code << " at flat index " << index
                         << " is not a valid code of " << type.getElementType();
    if (raw.isSplat())
      break;
  }
  return success();
}
