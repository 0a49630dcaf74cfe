//===- LowbitTypes.cpp - lowbit element types ----------------------------===//

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"
#include "lowbit/Numerics/Format.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace lowbit;

#define GET_TYPEDEF_CLASSES
#include "lowbit/Dialect/Lowbit/IR/LowbitTypes.cpp.inc"

void LowbitDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "lowbit/Dialect/Lowbit/IR/LowbitTypes.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// FloatCodeType
//===----------------------------------------------------------------------===//

FloatConvention FloatCodeType::getDefaultConvention(unsigned e, unsigned m) {
  unsigned width = 1 + e + m;
  if (width <= 6)
    return FloatConvention::Finite;
  if (e == 4 && m == 3)
    return FloatConvention::FN;
  return FloatConvention::IEEE;
}

LogicalResult
FloatCodeType::verify(function_ref<InFlightDiagnostic()> emitError,
                      unsigned exponentBits, unsigned mantissaBits,
                      FloatConvention convention, int bias) {
  if (exponentBits < 1)
    return emitError() << "float code needs at least one exponent bit, got e"
                       << exponentBits << "m" << mantissaBits;
  if (1 + exponentBits + mantissaBits > 8)
    return emitError() << "float code e" << exponentBits << "m" << mantissaBits
                       << " takes " << 1 + exponentBits + mantissaBits
                       << " bits with its sign bit; at most 8 are supported";
  // With one exponent bit and no mantissa, the all-ones exponent is the only
  // nonzero binade; reserving it for inf or NaN leaves only zeros.
  if (convention != FloatConvention::Finite && mantissaBits == 0 &&
      exponentBits == 1)
    return emitError() << "float code e1m0 under the '"
                       << stringifyFloatConvention(convention)
                       << "' convention has no nonzero finite value";
  return success();
}

Type FloatCodeType::parse(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef split;
  if (parser.parseLess() || parser.parseKeyword(&split))
    return {};
  unsigned e = 0, m = 0;
  if (!split.consume_front("e") || split.empty())
    return parser.emitError(loc, "expected a float split like 'e2m1', got '")
               << split << "'",
           Type();
  size_t mPos = split.find('m');
  if (mPos == StringRef::npos || split.take_front(mPos).getAsInteger(10, e) ||
      split.drop_front(mPos + 1).getAsInteger(10, m))
    return parser.emitError(loc, "expected a float split like 'e2m1', got 'e")
               << split << "'",
           Type();
  if (e < 1 || 1 + e + m > 8)
    return parser.emitError(loc, "float code e")
               << e << "m" << m
               << " does not fit: need at least one exponent bit and at most 8 "
                  "bits with the sign bit",
           Type();
  FloatConvention convention = getDefaultConvention(e, m);
  int bias = getDefaultBias(e);
  while (succeeded(parser.parseOptionalComma())) {
    if (succeeded(parser.parseOptionalKeyword("bias"))) {
      if (parser.parseEqual() || parser.parseInteger(bias))
        return {};
      continue;
    }
    SMLoc convLoc = parser.getCurrentLocation();
    StringRef name;
    if (parser.parseKeyword(&name))
      return {};
    std::optional<FloatConvention> parsed = symbolizeFloatConvention(name);
    if (!parsed)
      return parser.emitError(convLoc, "expected a float convention ('ieee', "
                                       "'fn' or 'finite') or 'bias', got '")
                 << name << "'",
             Type();
    convention = *parsed;
  }
  if (parser.parseGreater())
    return {};
  return parser.getChecked<FloatCodeType>(loc, parser.getContext(), e, m,
                                          convention, bias);
}

void FloatCodeType::print(AsmPrinter &printer) const {
  unsigned e = getExponentBits(), m = getMantissaBits();
  printer << "<e" << e << "m" << m;
  if (getConvention() != getDefaultConvention(e, m))
    printer << ", " << stringifyFloatConvention(getConvention());
  if (getBias() != getDefaultBias(e))
    printer << ", bias = " << getBias();
  printer << ">";
}

//===----------------------------------------------------------------------===//
// CodebookType
//===----------------------------------------------------------------------===//

CodebookType CodebookType::getNF4(MLIRContext *context) {
  numerics::Format nf4 = numerics::Format::nf4();
  return get(context, 4, DenseF64ArrayAttr::get(context, nf4.table()));
}

bool CodebookType::isNF4() const {
  numerics::Format nf4 = numerics::Format::nf4();
  return getBits() == 4 &&
         getValues().asArrayRef() == ArrayRef<double>(nf4.table());
}

LogicalResult CodebookType::verify(function_ref<InFlightDiagnostic()> emitError,
                                   unsigned bits,
                                   DenseF64ArrayAttr valuesAttr) {
  ArrayRef<double> values = valuesAttr.asArrayRef();
  if (bits < 1 || bits > 8)
    return emitError() << "codebook width must be 1 to 8 bits, got " << bits;
  if (values.size() != (size_t(1) << bits))
    return emitError() << "a " << bits << "-bit codebook needs "
                       << (size_t(1) << bits) << " values, got "
                       << values.size();
  for (auto [index, value] : llvm::enumerate(values))
    if (!std::isfinite(value))
      return emitError() << "codebook value " << index
                         << " is not a finite number";
  return success();
}

Type CodebookType::parse(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess())
    return {};
  StringRef name;
  if (succeeded(parser.parseOptionalKeyword(&name))) {
    if (name != "nf4")
      return parser.emitError(loc, "unknown named codebook '")
                 << name << "', expected 'nf4' or '<bits>, [values]'",
             Type();
    if (parser.parseGreater())
      return {};
    return getNF4(parser.getContext());
  }
  unsigned bits = 0;
  SmallVector<double> values;
  if (parser.parseInteger(bits) || parser.parseComma() ||
      parser.parseCommaSeparatedList(AsmParser::Delimiter::Square,
                                     [&] {
                                       double value;
                                       if (parser.parseFloat(value))
                                         return failure();
                                       values.push_back(value);
                                       return success();
                                     }) ||
      parser.parseGreater())
    return {};
  return parser.getChecked<CodebookType>(
      loc, parser.getContext(), bits,
      DenseF64ArrayAttr::get(parser.getContext(), values));
}

void CodebookType::print(AsmPrinter &printer) const {
  if (isNF4()) {
    printer << "<nf4>";
    return;
  }
  printer << "<" << getBits() << ", [";
  llvm::interleaveComma(getValues().asArrayRef(), printer, [&](double value) {
    printer.printFloat(llvm::APFloat(value));
  });
  printer << "]>";
}
