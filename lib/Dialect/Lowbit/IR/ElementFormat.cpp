//===- ElementFormat.cpp - IR types and constants to numerics -------------===//

#include "lowbit/Dialect/Lowbit/IR/ElementFormat.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace lowbit;

static numerics::FloatConvention toNumerics(FloatConvention convention) {
  switch (convention) {
  case FloatConvention::IEEE:
    return numerics::FloatConvention::IEEE;
  case FloatConvention::FN:
    return numerics::FloatConvention::FiniteNaN;
  case FloatConvention::Finite:
    return numerics::FloatConvention::Finite;
  }
  llvm_unreachable("unknown float convention");
}

std::optional<numerics::Format> lowbit::getElementFormat(Type type) {
  using numerics::FloatConvention;
  using numerics::Format;
  return llvm::TypeSwitch<Type, std::optional<Format>>(type)
      .Case([](IntegerType t) -> std::optional<Format> {
        if (t.getWidth() < 1 || t.getWidth() > 8)
          return std::nullopt;
        // Signless integers are read as two's complement.
        return t.isUnsigned() ? Format::unsignedInt(t.getWidth())
                              : Format::signedInt(t.getWidth());
      })
      .Case([](Float4E2M1FNType) {
        return Format::floatCode(2, 1, FloatConvention::Finite);
      })
      .Case([](Float6E2M3FNType) {
        return Format::floatCode(2, 3, FloatConvention::Finite);
      })
      .Case([](Float6E3M2FNType) {
        return Format::floatCode(3, 2, FloatConvention::Finite);
      })
      .Case([](Float8E4M3FNType) {
        return Format::floatCode(4, 3, FloatConvention::FiniteNaN);
      })
      .Case([](Float8E5M2Type) {
        return Format::floatCode(5, 2, FloatConvention::IEEE);
      })
      .Case([](Float8E4M3Type) {
        return Format::floatCode(4, 3, FloatConvention::IEEE);
      })
      .Case([](Float8E3M4Type) {
        return Format::floatCode(3, 4, FloatConvention::IEEE);
      })
      .Case([](FloatCodeType t) {
        return Format::floatCode(t.getExponentBits(), t.getMantissaBits(),
                                 toNumerics(t.getConvention()), t.getBias());
      })
      .Case([](CodebookType t) -> std::optional<Format> {
        if (t.isNF4())
          return Format::nf4();
        return Format::codebook(t.getBits(), t.getValues().asArrayRef().vec());
      })
      .Case([](TernaryType) { return Format::ternary(); })
      .Default([](Type) { return std::nullopt; });
}

std::optional<numerics::ScaleType> lowbit::getScaleType(Type type) {
  using numerics::ScaleType;
  return llvm::TypeSwitch<Type, std::optional<ScaleType>>(type)
      .Case([](Float32Type) { return ScaleType::F32; })
      .Case([](Float16Type) { return ScaleType::F16; })
      .Case([](BFloat16Type) { return ScaleType::BF16; })
      .Case([](Float8E8M0FNUType) { return ScaleType::E8M0; })
      .Case([](Float8E4M3FNType) { return ScaleType::E4M3; })
      .Default([](Type) { return std::nullopt; });
}

numerics::Scheme lowbit::getNumericsScheme(SchemeAttr scheme) {
  numerics::Scheme result;
  result.groupShape.assign(scheme.getGroup().begin(), scheme.getGroup().end());
  result.scaleType = *getScaleType(scheme.getScale());
  switch (scheme.getZero()) {
  case ZeroPointMode::None:
    result.zeroPoint = numerics::ZeroPointMode::None;
    break;
  case ZeroPointMode::Int:
    result.zeroPoint = numerics::ZeroPointMode::Integer;
    break;
  case ZeroPointMode::Float:
    result.zeroPoint = numerics::ZeroPointMode::Float;
    break;
  case ZeroPointMode::AsymFp:
    result.zeroPoint = numerics::ZeroPointMode::AsymFloat;
    break;
  }
  result.tensorScale = static_cast<bool>(scheme.getTensorScale());
  return result;
}

numerics::PackLayout lowbit::getNumericsLayout(LayoutAttr layout) {
  if (layout.getPlanes() != 0)
    return numerics::planeLayout(layout.getBits(), layout.getPlanes(),
                                 layout.getWord());
  numerics::PackLayout result;
  if (layout.getLanes() != 0) {
    result = numerics::laneLayout(layout.getBits(), layout.getWord(),
                                  layout.getLanes());
  } else {
    result.aligned = layout.getAligned();
    result.bits = layout.getBits();
    result.wordBits = layout.getWord();
    result.order.assign(layout.getOrder().begin(), layout.getOrder().end());
  }
  result.stripe = layout.getStripe();
  result.stripeChunk = layout.getChunk();
  result.stripePiece = layout.getPiece();
  return result;
}

LayoutAttr lowbit::getLayoutAttr(MLIRContext *context,
                                 const numerics::PackLayout &layout) {
  if (layout.planes())
    return LayoutAttr::get(context, layout.bits, layout.wordBits,
                           /*order=*/{}, /*aligned=*/false, /*lanes=*/0,
                           layout.planeRows, /*stripe=*/0, /*chunk=*/0,
                           /*piece=*/0);
  // An aligned order that deals codes round-robin over whole words prints
  // as `lanes`.
  unsigned lanes = 0;
  if (layout.aligned && !layout.order.empty() &&
      layout.order.size() % layout.slotsPerWord() == 0) {
    unsigned candidate = layout.order.size() / layout.slotsPerWord();
    if (numerics::laneLayout(layout.bits, layout.wordBits, candidate).order ==
        layout.order)
      lanes = candidate;
  }
  SmallVector<int64_t> order;
  if (lanes == 0)
    order.assign(layout.order.begin(), layout.order.end());
  return LayoutAttr::get(context, layout.bits, layout.wordBits, order,
                         layout.aligned, lanes, /*planes=*/0, layout.stripe,
                         layout.stripeChunk, layout.stripePiece);
}

std::optional<std::vector<uint32_t>> lowbit::readCodes(Attribute attr) {
  DenseElementsAttr dense;
  if (auto codes = dyn_cast_or_null<CodesAttr>(attr))
    dense = codes.getRaw();
  else
    dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  Type element = dense.getElementType();
  std::vector<uint32_t> result;
  result.reserve(dense.getNumElements());
  if (auto intType = dyn_cast<IntegerType>(element)) {
    uint64_t mask = intType.getWidth() >= 32
                        ? 0xffffffffu
                        : (uint64_t(1) << intType.getWidth()) - 1;
    for (const APInt &value : dense.getValues<APInt>())
      result.push_back(uint32_t(value.getZExtValue() & mask));
    return result;
  }
  if (isa<FloatType>(element)) {
    for (const APFloat &value : dense.getValues<APFloat>())
      result.push_back(uint32_t(value.bitcastToAPInt().getZExtValue()));
    return result;
  }
  return std::nullopt;
}

TypedAttr lowbit::buildCodesAttr(ShapedType type, ArrayRef<uint32_t> codes) {
  Type element = type.getElementType();
  MLIRContext *context = type.getContext();
  if (auto intType = dyn_cast<IntegerType>(element)) {
    SmallVector<APInt> values;
    values.reserve(codes.size());
    for (uint32_t code : codes)
      values.emplace_back(intType.getWidth(), code);
    return DenseElementsAttr::get(type, values);
  }
  if (auto floatType = dyn_cast<FloatType>(element)) {
    SmallVector<APFloat> values;
    values.reserve(codes.size());
    for (uint32_t code : codes)
      values.emplace_back(floatType.getFloatSemantics(),
                          APInt(floatType.getWidth(), code));
    return DenseElementsAttr::get(type, values);
  }
  auto rawType = RankedTensorType::get(
      type.getShape(), IntegerType::get(context, 8, IntegerType::Unsigned));
  SmallVector<APInt> values;
  values.reserve(codes.size());
  for (uint32_t code : codes)
    values.emplace_back(8, code);
  auto raw =
      cast<DenseIntElementsAttr>(DenseElementsAttr::get(rawType, values));
  return CodesAttr::get(context, raw, type);
}

std::optional<std::vector<double>> lowbit::readReals(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  std::vector<double> result;
  result.reserve(dense.getNumElements());
  Type element = dense.getElementType();
  if (auto intType = dyn_cast<IntegerType>(element)) {
    for (const APInt &value : dense.getValues<APInt>())
      result.push_back(intType.isUnsigned() ? double(value.getZExtValue())
                                            : double(value.getSExtValue()));
    return result;
  }
  if (isa<FloatType>(element)) {
    for (APFloat value : dense.getValues<APFloat>()) {
      bool losesInfo = false;
      value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
      result.push_back(value.convertToDouble());
    }
    return result;
  }
  return std::nullopt;
}

DenseElementsAttr lowbit::buildRealsAttr(ShapedType type,
                                         ArrayRef<double> values) {
  auto floatType = cast<FloatType>(type.getElementType());
  SmallVector<APFloat> converted;
  converted.reserve(values.size());
  for (double value : values) {
    APFloat result(value);
    bool losesInfo = false;
    result.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                   &losesInfo);
    converted.push_back(result);
  }
  return DenseElementsAttr::get(type, converted);
}
