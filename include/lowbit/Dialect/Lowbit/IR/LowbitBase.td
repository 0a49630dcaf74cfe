//===- LowbitBase.td - lowbit dialect definition -----------*- tablegen -*-===//
//
// The `lowbit` dialect: low-bit quantized element types, group-quantization
// schemes, packed storage layouts, and the graph-level ops over them.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_LOWBITBASE_TD
#define LOWBIT_DIALECT_LOWBIT_IR_LOWBITBASE_TD

include "mlir/IR/OpBase.td"

def Lowbit_Dialect : Dialect {
  let name = "lowbit";
  let cppNamespace = "::lowbit";
  let summary = "Low-bit mixed-precision tensor math.";
  let description = [{
    The `lowbit` dialect represents weights quantized to any width from 1 to 8
    bits (signed and unsigned integers, float codes of any exponent/mantissa
    split, codebooks such as NF4, ternary), the group-quantization scheme that
    relates codes to real values through scale and zero-point tensors, the
    layout of codes packed into storage words, and the mixed-precision
    contraction of higher-precision activations with such weights.

    Builtin types are reused wherever they exist (`i1`..`i8`, `si4`, `ui4`,
    `f4E2M1FN`, `f6E2M3FN`, `f6E3M2FN`, `f8E4M3FN`, `f8E5M2`, `f8E8M0FNU`,
    ...); the dialect adds only what builtins lack. Scales and zero points are
    always SSA tensors, never constants baked into a type.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let useDefaultTypePrinterParser = 1;
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let extraClassDeclaration = [{
  private:
    // Each in the file that holds the storage classes.
    void registerTypes();
    void registerAttributes();
  }];
}

class Lowbit_Op<string mnemonic, list<Trait> traits = []>
    : Op<Lowbit_Dialect, mnemonic, traits>;

#endif // LOWBIT_DIALECT_LOWBIT_IR_LOWBITBASE_TD
