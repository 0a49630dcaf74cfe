//===- LowbitEnums.td - lowbit enumerations ----------------*- tablegen -*-===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_LOWBITENUMS_TD
#define LOWBIT_DIALECT_LOWBIT_IR_LOWBITENUMS_TD

include "mlir/IR/EnumAttr.td"

def Lowbit_FloatConvention : I32EnumAttr<"FloatConvention",
    "treatment of the all-ones exponent of a float code", [
      I32EnumAttrCase<"IEEE", 0, "ieee">,
      I32EnumAttrCase<"FN", 1, "fn">,
      I32EnumAttrCase<"Finite", 2, "finite">]> {
  let cppNamespace = "::lowbit";
  let genSpecializedAttr = 0;
}

def Lowbit_ZeroPointMode : I32EnumAttr<"ZeroPointMode",
    "how a zero point enters dequantization", [
      I32EnumAttrCase<"None", 0, "none">,
      I32EnumAttrCase<"Int", 1, "int">,
      I32EnumAttrCase<"Float", 2, "float">,
      I32EnumAttrCase<"AsymFp", 3, "asym_fp">]> {
  let cppNamespace = "::lowbit";
  let genSpecializedAttr = 0;
}

def Lowbit_Strategy : I32EnumAttr<"Strategy",
    "how a matmul multiplies low-bit weights with activations", [
      I32EnumAttrCase<"Dequant", 0, "dequant">,
      I32EnumAttrCase<"Int8Dot", 1, "int8_dot">,
      I32EnumAttrCase<"Lut", 2, "lut">,
      I32EnumAttrCase<"Bf16Dot", 3, "bf16_dot">]> {
  let cppNamespace = "::lowbit";
  let genSpecializedAttr = 0;
}

#endif // LOWBIT_DIALECT_LOWBIT_IR_LOWBITENUMS_TD
