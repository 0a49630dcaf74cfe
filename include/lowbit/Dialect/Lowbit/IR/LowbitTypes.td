//===- LowbitTypes.td - lowbit element types ---------------*- tablegen -*-===//
//
// Quantized element types that builtins lack, parameterized rather than
// enumerated: float codes of any split, codebooks, ternary.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_LOWBITTYPES_TD
#define LOWBIT_DIALECT_LOWBIT_IR_LOWBITTYPES_TD

include "lowbit/Dialect/Lowbit/IR/LowbitBase.td"
include "lowbit/Dialect/Lowbit/IR/LowbitEnums.td"
include "mlir/IR/AttrTypeBase.td"

class Lowbit_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<Lowbit_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def Lowbit_FloatCodeType : Lowbit_Type<"FloatCode", "float"> {
  let summary = "a sign/exponent/mantissa float code of at most 8 bits";
  let description = [{
    A float code with one sign bit, `e` exponent bits and `m` mantissa bits
    (`1 + e + m <= 8`, `e >= 1`), exponent bias `2^(e-1) - 1` unless given,
    and an explicit convention for the all-ones exponent:

    - `finite`: every code is a finite number (OCP MX e2m1, e2m3, e3m2);
    - `fn`: no infinities; only all-ones exponent and mantissa is NaN (OCP
      e4m3);
    - `ieee`: all-ones exponent encodes infinities and NaNs (OCP e5m2).

    The convention defaults to `finite` for codes of at most 6 bits, `fn` for
    e4m3, and `ieee` for other 7- and 8-bit codes; defaults are not printed.
    `e1m0` needs the `finite` convention (otherwise it has no nonzero finite
    value).
    Prefer the builtin type where one exists (`f4E2M1FN` is `e2m1`).

    ```mlir
    !lowbit.float<e3m0>
    !lowbit.float<e2m2>
    !lowbit.float<e4m3, ieee>
    !lowbit.float<e3m2, finite, bias = 2>
    ```
  }];
  let parameters = (ins "unsigned":$exponentBits, "unsigned":$mantissaBits,
                        "FloatConvention":$convention, "int":$bias);
  let builders = [
    TypeBuilder<(ins "unsigned":$exponentBits, "unsigned":$mantissaBits), [{
      return $_get($_ctxt, exponentBits, mantissaBits,
                   getDefaultConvention(exponentBits, mantissaBits),
                   getDefaultBias(exponentBits));
    }]>
  ];
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Total width in bits, 1 + e + m.
    unsigned getWidth() const { return 1 + getExponentBits() + getMantissaBits(); }
    static FloatConvention getDefaultConvention(unsigned e, unsigned m);
    static int getDefaultBias(unsigned e) { return (1 << (e - 1)) - 1; }
  }];
}

def Lowbit_CodebookType : Lowbit_Type<"Codebook", "codebook"> {
  let summary = "a code indexing a table of 2^bits real values";
  let description = [{
    A `bits`-bit code whose value is `values[code]`. `values` has exactly
    `2^bits` finite entries, in any order. The named table `nf4` is the
    NormalFloat-4 codebook of QLoRA and is printed by name.

    ```mlir
    !lowbit.codebook<nf4>
    !lowbit.codebook<2, [-1.5, -0.5, 0.5, 1.5]>
    ```
  }];
  let parameters = (ins "unsigned":$bits,
                        "::mlir::DenseF64ArrayAttr":$values);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The NF4 codebook (16 values in [-1, 1]).
    static CodebookType getNF4(::mlir::MLIRContext *context);
    /// True if the table is the NF4 codebook.
    bool isNF4() const;
  }];
}

def Lowbit_TernaryType : Lowbit_Type<"Ternary", "ternary"> {
  let summary = "a ternary value in {-1, 0, +1}";
  let description = [{
    A ternary weight (BitNet b1.58). Stored as a 2-bit code equal to the value
    plus one: 0, 1, 2 stand for -1, 0, +1; code 3 is invalid.

    ```mlir
    !lowbit.ternary
    ```
  }];
}

#endif // LOWBIT_DIALECT_LOWBIT_IR_LOWBITTYPES_TD
