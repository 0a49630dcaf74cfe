//===- LowbitOps.td - lowbit graph-level ops ---------------*- tablegen -*-===//
//
// Graph-level (tensor semantics) ops: quantize, dequantize, pack, unpack, the
// mixed-precision matmul with its fused epilogue, and constants of dialect
// element types.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_LOWBITOPS_TD
#define LOWBIT_DIALECT_LOWBIT_IR_LOWBITOPS_TD

include "lowbit/Dialect/Lowbit/IR/LowbitBase.td"
include "lowbit/Dialect/Lowbit/IR/LowbitAttrs.td"
include "lowbit/Dialect/Lowbit/IR/LowbitTypes.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Lowbit_QuantElementType : Type<
    CPred<"::lowbit::isQuantElementType($_self)">,
    "low-bit element type (i1..i8, si/ui1..8, f4E2M1FN, f6E2M3FN, f6E3M2FN, "
    "f8E4M3FN, f8E5M2, f8E4M3, f8E3M4, !lowbit.float, !lowbit.codebook, "
    "!lowbit.ternary)">;

def Lowbit_QuantTensor : RankedTensorOf<[Lowbit_QuantElementType]>;
def Lowbit_FloatTensor : RankedTensorOf<[F16, BF16, F32, F64]>;
def Lowbit_ScaleTensor : RankedTensorOf<[AnyFloat]>;
def Lowbit_ZeroTensor : RankedTensorOf<[AnyFloat, AnySignlessInteger,
                                        AnySignedInteger, AnyUnsignedInteger]>;
def Lowbit_TensorScale : 0DTensorOf<[F32]>;
def Lowbit_WordTensor : RankedTensorOf<[I8, I16, I32, I64]>;

//===----------------------------------------------------------------------===//
// lowbit.constant
//===----------------------------------------------------------------------===//

def Lowbit_ConstantOp : Lowbit_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "result"]>]> {
  let summary = "a constant tensor of a dialect element type";
  let description = [{
    Materializes constant codes whose element type has no builtin dense
    encoding. Constants of builtin element types use `arith.constant`.

    ```mlir
    %c = lowbit.constant dense<[0, 1, 7]> : tensor<3xui8> as tensor<3x!lowbit.float<e3m0>>
    ```
  }];
  let arguments = (ins Lowbit_CodesAttr:$value);
  let results = (outs Lowbit_QuantTensor:$result);
  let hasCustomAssemblyFormat = 1;
  let builders = [
    OpBuilder<(ins "CodesAttr":$value), [{
      build($_builder, $_state, value.getType(), value);
    }]>
  ];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// lowbit.quantize / lowbit.dequantize
//===----------------------------------------------------------------------===//

class Lowbit_QuantParamsOp<string mnemonic, list<Trait> traits = []>
    : Lowbit_Op<mnemonic, !listconcat(traits,
                                      [Pure, AttrSizedOperandSegments])> {
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Lowbit_QuantizeOp : Lowbit_QuantParamsOp<"quantize"> {
  let summary = "quantize a float tensor with group scales and zero points";
  let description = [{
    Maps every element `x` to the code nearest to its scaled value, rounding
    to nearest even and saturating at the format's extremes:

    | zero      | code                                     |
    |-----------|------------------------------------------|
    | `none`    | `encode(x / s)`                          |
    | `int`     | `encode(x / s + z)`                      |
    | `float`   | `encode((x + z) / s)`                    |
    | `asym_fp` | `encode(x / (x >= 0 ? s : s_neg))`       |

    where `s`, `z` and `s_neg` are the entries of `scales`, `zeros` and
    `neg_scales` for the element's group (see `#lowbit.scheme`), and `s` is
    multiplied by `tensor_scale` when the scheme has one. The result element
    type is the quantized format.

    ```mlir
    %q = lowbit.quantize %w, %s zeros %z scheme <group = [1, 128], scale = f16, zero = int>
        : (tensor<256x1024xf32>, tensor<256x8xf16>, tensor<256x8xui4>) -> tensor<256x1024xui4>
    ```
  }];
  let arguments = (ins Lowbit_FloatTensor:$input, Lowbit_ScaleTensor:$scales,
                       Optional<Lowbit_ZeroTensor>:$zeros,
                       Optional<Lowbit_ScaleTensor>:$negScales,
                       Optional<Lowbit_TensorScale>:$tensorScale,
                       Lowbit_SchemeAttr:$scheme);
  let results = (outs Lowbit_QuantTensor:$result);
  let assemblyFormat = [{
    $input `,` $scales (`zeros` $zeros^)? (`neg_scales` $negScales^)?
    (`tensor_scale` $tensorScale^)? `scheme` $scheme attr-dict `:`
    functional-type(operands, results)
  }];
}

def Lowbit_DequantizeOp : Lowbit_QuantParamsOp<"dequantize"> {
  let summary = "dequantize codes with group scales and zero points";
  let description = [{
    Computes the real value of every code by the formula of the scheme's zero
    mode (see `#lowbit.scheme`), rounded to the float result element type.

    ```mlir
    %w = lowbit.dequantize %q, %s scheme <group = [1, 32], scale = f8E8M0FNU>
        : (tensor<4096x4096xf4E2M1FN>, tensor<4096x128xf8E8M0FNU>) -> tensor<4096x4096xf16>
    ```
  }];
  let arguments = (ins Lowbit_QuantTensor:$input, Lowbit_ScaleTensor:$scales,
                       Optional<Lowbit_ZeroTensor>:$zeros,
                       Optional<Lowbit_ScaleTensor>:$negScales,
                       Optional<Lowbit_TensorScale>:$tensorScale,
                       Lowbit_SchemeAttr:$scheme);
  let results = (outs Lowbit_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scales (`zeros` $zeros^)? (`neg_scales` $negScales^)?
    (`tensor_scale` $tensorScale^)? `scheme` $scheme attr-dict `:`
    functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// lowbit.pack / lowbit.unpack
//===----------------------------------------------------------------------===//

def Lowbit_PackOp : Lowbit_Op<"pack", [Pure]> {
  let summary = "pack codes into storage words";
  let description = [{
    Packs every row (innermost dimension) of codes into words as described by
    `#lowbit.layout`. The layout's `bits` must equal the element type's code
    width, the result element type is the signless integer of the layout's
    word width, and the innermost result dimension is the number of words a
    row takes; other dimensions are unchanged.

    ```mlir
    %p = lowbit.pack %q layout <bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7]>
        : tensor<256x1024xui4> -> tensor<256x128xi32>
    ```
  }];
  let arguments = (ins Lowbit_QuantTensor:$input, Lowbit_LayoutAttr:$layout);
  let results = (outs Lowbit_WordTensor:$result);
  let assemblyFormat = [{
    $input `layout` $layout attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Lowbit_UnpackOp : Lowbit_Op<"unpack", [Pure]> {
  let summary = "unpack storage words into codes";
  let description = [{
    The inverse of `lowbit.pack`: the result type gives the logical row
    length, and padding codes are dropped.

    ```mlir
    %q = lowbit.unpack %p layout <bits = 3, word = 32>
        : tensor<256x96xi32> -> tensor<256x1024xsi3>
    ```
  }];
  let arguments = (ins Lowbit_WordTensor:$input, Lowbit_LayoutAttr:$layout);
  let results = (outs Lowbit_QuantTensor:$result);
  let assemblyFormat = [{
    $input `layout` $layout attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// lowbit.matmul
//===----------------------------------------------------------------------===//

def Lowbit_EpilogueScalar : Type<
    CPred<"$_self.isSignlessIntOrIndexOrFloat()">,
    "signless integer, index or float">;

def Lowbit_MatmulOp : Lowbit_Op<"matmul",
    [Pure, AttrSizedOperandSegments, IsolatedFromAbove]> {
  let summary = "mixed-precision matmul of activations with quantized weights";
  let description = [{
    `acc[b, m, n] = bias[n] + sum_k input[b, m, k] * W[k, n]` where `W` is
    the dequantized weight tensor (by the scheme's formula, see
    `#lowbit.scheme`) and the batch dimension `b` is present when `input` is
    of rank 3. Weights are stored `[K, N]`, or `[N, K]` with `transpose_b`;
    the scheme's group shape and the shapes of `scales`, `zeros` and
    `neg_scales` refer to the weight tensor as stored. Products and the bias
    are summed in the accumulator type `acc` (default `f32`).

    Without an epilogue region, `result[b, m, n]` is `acc[b, m, n]` rounded
    to the result element type (to nearest even).

    With an `epilogue` region, the region's single block computes every
    result element from the accumulator: its arguments are one scalar of the
    accumulator type, then one scalar per epilogue operand of that operand's
    element type, and it ends in `lowbit.yield` of one scalar of the result
    element type:

    `result[b, m, n] = epilogue(acc[b, m, n], e_0[...], e_1[...], ...)`

    where each epilogue operand `e_i` has shape `[N]` (read at `[n]`,
    broadcast over batch and rows) or exactly the result shape (read at
    `[b, m, n]`). The region holds only scalar, side-effect free `arith` and
    `math` ops and uses no value from outside (it is isolated from above).
    Epilogue operands need a region; a region needs no operands.

    ```mlir
    // GPTQ weights, SiLU(acc) + residual.
    %y = lowbit.matmul %x, %q, %s zeros %z
        scheme <group = [1, 128], scale = f16, zero = int> transpose_b
        epilogue(%r : tensor<16x11008xf16>) {
      ^bb0(%acc: f32, %res: f16):
        %neg = arith.negf %acc : f32
        %exp = math.exp %neg : f32
        %one = arith.constant 1.0 : f32
        %den = arith.addf %one, %exp : f32
        %silu = arith.divf %acc, %den : f32
        %h = arith.truncf %silu : f32 to f16
        %sum = arith.addf %h, %res : f16
        lowbit.yield %sum : f16
    } : (tensor<16x4096xf16>, tensor<11008x4096xui4>, tensor<11008x32xf16>,
         tensor<11008x32xui4>, tensor<16x11008xf16>) -> tensor<16x11008xf16>
    ```

    Scheduled form: with `packed T layout <...>` the weights operand holds
    the codes of `[N, K]` weights (`transpose_b` is required) of element type
    `T` packed by the layout (see `lowbit.pack`): a `[N, words(K)]` tensor of
    the layout's word type, with K given by the input. The scheme and the
    parameter shapes still refer to the logical `[N, K]` weights.
    `--lowbit-pack-weights` produces this form.

    ```mlir
    %y = lowbit.matmul %x, %p, %s scheme <group = [1, 128], scale = f16>
        transpose_b packed si4 layout <bits = 4, word = 32, aligned, lanes = 16>
        : (tensor<1x4096xf32>, tensor<11008x512xi32>, tensor<11008x32xf16>)
          -> tensor<1x11008xf32>
    ```

    Strategy: `strategy S` says how a target multiplies weights with
    activations (absent: `dequant`). `dequant` decodes weights and multiplies
    with the exact activations. `int8_dot` first quantizes each row of the
    input to int8 in blocks of 32 along K (scale `max|x| / 127` per block,
    values rounded to nearest even) and multiplies the weights' integer
    values with those: the result then differs from the formula above by
    the activation quantization error, which users choose to accept.
    `lut` multiplies through tables of activation partial sums probed by
    weight bits; `lut<group = G, exact = true>` (`#lowbit.lut`) sets how
    many activations share a table and keeps the tables in f32.
    `bf16_dot` (bf16 inputs) multiplies the weights' values as bf16 with
    bf16 dot products into f32: exact products, as `dequant`.
    `--lowbit-pack-weights` chooses the layout the strategy reads.

    Syntax: the operands, `scheme`, then optionally `transpose_b`,
    `strategy S`, `packed T layout <...>`, `acc(type)`, and
    `epilogue(%e0, %e1 : type0, type1) { ... }`, written
    `epilogue { ... }` when there are no epilogue operands; the functional
    type at the end lists every operand, epilogue operands included.
  }];
  let arguments = (ins RankedTensorOf<[F16, BF16, F32]>:$input,
                       RankedTensorOf<[Lowbit_QuantElementType, I16, I32,
                                       I64]>:$weights,
                       Lowbit_ScaleTensor:$scales,
                       Optional<Lowbit_ZeroTensor>:$zeros,
                       Optional<Lowbit_ScaleTensor>:$negScales,
                       Optional<Lowbit_TensorScale>:$tensorScale,
                       Optional<RankedTensorOf<[F16, BF16, F32]>>:$bias,
                       Variadic<RankedTensorOf<[Lowbit_EpilogueScalar]>>:
                         $epilogueOperands,
                       Lowbit_SchemeAttr:$scheme,
                       UnitAttr:$transposeB,
                       OptionalAttr<TypeAttr>:$acc,
                       OptionalAttr<Lowbit_LayoutAttr>:$layout,
                       OptionalAttr<TypeAttr>:$weightType,
                       OptionalAttr<Lowbit_StrategyAttr>:$strategy,
                       OptionalAttr<Lowbit_LutAttr>:$lut);
  let results = (outs RankedTensorOf<[F16, BF16, F32]>:$result);
  let regions = (region MaxSizedRegion<1>:$epilogue);
  // The epilogue operands' types appear both in the `epilogue(...)` group and
  // in the functional type, which the declarative format cannot bind twice.
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// The accumulator type: `acc` if given, else f32.
    ::mlir::Type getAccumulatorType();
    /// True in the scheduled form, whose weights are packed words.
    bool isPacked() { return static_cast<bool>(getLayoutAttr()); }
    /// The weights as logical codes: the weights operand's type, or for
    /// packed weights the [N, K] tensor of the weight type.
    ::mlir::RankedTensorType getLogicalWeightType();
    /// Logical reduction and output extents (K and N) from the weight shape.
    int64_t getReductionSize();
    int64_t getOutputSize();
    /// The epilogue block, or null when the op has no epilogue region.
    ::mlir::Block *getEpilogueBlock();
    /// Why `op` may not appear in an epilogue (it must be a side-effect free
    /// `arith` or `math` op on scalars), or std::nullopt if it may.
    static std::optional<std::string>
    getEpilogueViolation(::mlir::Operation *op);
  }];
}

def Lowbit_YieldOp : Lowbit_Op<"yield",
    [Pure, ReturnLike, Terminator, HasParent<"MatmulOp">]> {
  let summary = "yields one result element from a matmul epilogue";
  let description = [{
    Terminates the `epilogue` region of `lowbit.matmul`; its operand, of the
    matmul's result element type, is the result element.

    ```mlir
    lowbit.yield %v : f16
    ```
  }];
  let arguments = (ins Lowbit_EpilogueScalar:$value);
  let assemblyFormat = "$value attr-dict `:` type($value)";
}

#endif // LOWBIT_DIALECT_LOWBIT_IR_LOWBITOPS_TD
