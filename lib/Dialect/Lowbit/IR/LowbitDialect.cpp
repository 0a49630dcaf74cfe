//===- LowbitDialect.cpp - lowbit dialect registration -------------------===//

#include "lowbit/Dialect/Lowbit/IR/Lowbit.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace lowbit;

#include "lowbit/Dialect/Lowbit/IR/LowbitDialect.cpp.inc"
#include "lowbit/Dialect/Lowbit/IR/LowbitEnums.cpp.inc"

void LowbitDialect::initialize() {
  registerTypes();
  registerAttributes();
  addOperations<
#define GET_OP_LIST
#include "lowbit/Dialect/Lowbit/IR/LowbitOps.cpp.inc"
      >();
}

Operation *LowbitDialect::materializeConstant(OpBuilder &builder,
                                              Attribute value, Type type,
                                              Location loc) {
  if (auto codes = dyn_cast<CodesAttr>(value)) {
    if (codes.getType() != type)
      return nullptr;
    return ConstantOp::create(builder, loc, codes);
  }
  if (auto typed = dyn_cast<TypedAttr>(value))
    if (arith::ConstantOp::isBuildableWith(typed, type))
      return arith::ConstantOp::create(builder, loc, typed);
  return nullptr;
}

bool lowbit::isQuantElementType(Type type) {
  if (auto intType = dyn_cast<IntegerType>(type))
    return intType.getWidth() >= 1 && intType.getWidth() <= 8;
  return isa<Float4E2M1FNType, Float6E2M3FNType, Float6E3M2FNType,
             Float8E4M3FNType, Float8E5M2Type, Float8E4M3Type, Float8E3M4Type,
             FloatCodeType, CodebookType, TernaryType>(type);
}
