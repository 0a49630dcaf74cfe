//===- LowbitAttrs.td - lowbit attributes ------------------*- tablegen -*-===//
//
// The quantization scheme, the packed storage layout, and constant codes of
// dialect element types.
//
//===----------------------------------------------------------------------===//

#ifndef LOWBIT_DIALECT_LOWBIT_IR_LOWBITATTRS_TD
#define LOWBIT_DIALECT_LOWBIT_IR_LOWBITATTRS_TD

include "lowbit/Dialect/Lowbit/IR/LowbitBase.td"
include "lowbit/Dialect/Lowbit/IR/LowbitEnums.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

class Lowbit_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Lowbit_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Lowbit_StrategyAttr : EnumAttr<Lowbit_Dialect, Lowbit_Strategy,
                                   "strategy"> {
  let summary = "how a matmul multiplies low-bit weights (see lowbit.matmul)";
  let assemblyFormat = "`<` $value `>`";
}

def Lowbit_LutAttr : Lowbit_Attr<"Lut", "lut"> {
  let summary = "how the lut strategy builds its tables (see lowbit.matmul)";
  let description = [{
    `group`: activations per table (1, 2, 4 or 8; a table holds the 2^group
    signed sums of its activations). `exact`: keep the tables in f32; else
    targets may round them to int8 (one scale per block of activations),
    which the vector CPU kernels do, and which needs `group = 4` there.

    ```mlir
    #lowbit.lut<group = 2, exact = true>
    ```
  }];
  let parameters = (ins DefaultValuedParameter<"int64_t", "4">:$group,
                        DefaultValuedParameter<"bool", "false">:$exact);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Lowbit_SchemeAttr : Lowbit_Attr<"Scheme", "scheme"> {
  let summary = "a group-quantization scheme";
  let description = [{
    Relates codes `q` of a quantized tensor to real values through group-wise
    parameters. `group` gives the extent of one group along each dimension of
    the tensor it applies to (which must divide the dimension); the scale
    tensor then has shape `dim[i] / group[i]`. `scale` is the scale element
    type: `f32`, `f16`, `bf16`, `f8E8M0FNU` (MX) or `f8E4M3FN` (NVFP4).
    `zero` selects the dequantization formula:

    | zero      | value                                           |
    |-----------|-------------------------------------------------|
    | `none`    | `decode(q) * s`                                 |
    | `int`     | `(decode(q) - z) * s`, `z` integral             |
    | `float`   | `decode(q) * s - z`                             |
    | `asym_fp` | `decode(q) * (decode(q) >= 0 ? s : s_neg)`      |

    With `tensor_scale = f32` the group scales are second-level scales under
    one rank-0 tensor scale `t`, and `s` above reads `s * t` (NVFP4).

    ```mlir
    #lowbit.scheme<group = [1, 128], scale = f16, zero = int>
    #lowbit.scheme<group = [1, 32], scale = f8E8M0FNU>
    #lowbit.scheme<group = [1, 16], scale = f8E4M3FN, tensor_scale = f32>
    ```
  }];
  let parameters = (ins
    ArrayRefParameter<"int64_t", "group extent per dimension">:$group,
    "::mlir::Type":$scale,
    DefaultValuedParameter<"ZeroPointMode", "ZeroPointMode::None">:$zero,
    OptionalParameter<"::mlir::Type">:$tensorScale);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The group-grid shape for a tensor of `shape`: shape[i] / group[i],
    /// with dynamic dimensions staying dynamic.
    ::llvm::SmallVector<int64_t> getGridShape(::llvm::ArrayRef<int64_t> shape) const;
    bool hasZeroPoints() const {
      return getZero() == ZeroPointMode::Int || getZero() == ZeroPointMode::Float;
    }
    bool hasNegativeScales() const { return getZero() == ZeroPointMode::AsymFp; }
  }];
}

def Lowbit_LayoutAttr : Lowbit_Attr<"Layout", "layout"> {
  let summary = "how codes are packed into storage words";
  let description = [{
    Each row (innermost dimension) of `bits`-bit codes is stored as a bit
    stream in `word`-bit words (8, 16, 32 or 64), starting on a word boundary.
    Codes are taken in periods of `P = order.size()` elements; element `j` of
    a period goes to slot `order[j]`, and slots fill the stream from the least
    significant bit upward. An absent `order` is the plain bit stream.

    With `aligned`, codes never straddle words: each word holds
    `c = floor(word / bits)` slots in its low bits, the rest zero. `lanes = L`
    (aligned only) is the order that deals elements round-robin over `L`
    words: period `P = L * c`, element `j` goes to word `j % L` at position
    `j / L`, so `L` words loaded into a vector register give `L` consecutive
    elements per shift and mask.

    The last period of a row is padded with zero codes to whole periods and
    whole words, so a row of `K` codes takes `ceil(ceil(K / P) * P * bits /
    word)` words, or `ceil(ceil(K / P) * P / c)` aligned.

    `planes = R` (alone: no order, lanes or aligned) is the bit-plane layout
    of the CPU table-lookup kernels (`numerics::planeLayout`): rows padded to
    whole words are split into `bits` planes of one bit per code and stored
    in tiles of `R` rows, byte `(c * bits + i) * R + r` of a tile holding bit
    `i` of elements `8c .. 8c + 7` of its row `r`. A row then takes `bits *
    ceil(K / word)` words on average, but rows interleave within a tile.

    `stripe = S, chunk = C, piece = P` (together; not with `planes`) then
    moves whole words within each row (`numerics::stripedLayout`): the row is
    cut into chunks of `C * bits / word` words and every run of `S`
    consecutive chunks (the last run of a row may hold fewer, `r`) stores its
    `P`-word pieces interleaved, piece `v` of chunk `q` of the run at piece
    `v * r + q`. Lanes that each stream one chunk of a run then read
    adjacent pieces with each load (the GPU kernels' layout: `stripe = 4,
    chunk = 128, piece = 4`). Words after the last whole chunk stay in place.

    ```mlir
    #lowbit.layout<bits = 3, word = 32>
    #lowbit.layout<bits = 4, word = 32, order = [0, 4, 1, 5, 2, 6, 3, 7]>
    #lowbit.layout<bits = 3, word = 32, aligned, lanes = 16>
    #lowbit.layout<bits = 2, word = 32, planes = 32>
    #lowbit.layout<bits = 3, word = 32, stripe = 4, chunk = 128, piece = 4>
    ```
  }];
  let parameters = (ins "unsigned":$bits, "unsigned":$word,
    OptionalArrayRefParameter<"int64_t", "slot of each element of a period">:$order,
    DefaultValuedParameter<"bool", "false">:$aligned,
    DefaultValuedParameter<"unsigned", "0">:$lanes,
    DefaultValuedParameter<"unsigned", "0">:$planes,
    DefaultValuedParameter<"unsigned", "0">:$stripe,
    DefaultValuedParameter<"unsigned", "0">:$chunk,
    DefaultValuedParameter<"unsigned", "0">:$piece);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Elements in one period of the order (1 for the plain bit stream).
    int64_t getPeriod() const;
    /// Words that one packed row of `rowLength` codes occupies.
    int64_t getWordsPerRow(int64_t rowLength) const;
  }];
}

def Lowbit_CodesAttr : Lowbit_Attr<"Codes", "codes", [TypedAttrInterface]> {
  let summary = "constant codes of a tensor of a dialect element type";
  let description = [{
    A constant tensor whose element type has no builtin dense encoding
    (`!lowbit.float`, `!lowbit.codebook`, `!lowbit.ternary`): the raw codes as
    an unsigned integer tensor of the same shape, and the quantized tensor
    type. Every code must be a valid code of the element type.

    ```mlir
    #lowbit.codes<dense<[0, 1, 7]> : tensor<3xui8>> : tensor<3x!lowbit.float<e3m0>>
    ```

    `lowbit.constant` prints it as
    `dense<[0, 1, 7]> : tensor<3xui8> as tensor<3x!lowbit.float<e3m0>>`.
  }];
  let parameters = (ins "::mlir::DenseIntElementsAttr":$raw,
                        AttributeSelfTypeParameter<"", "::mlir::ShapedType">:$type);
  let assemblyFormat = "`<` $raw `>`";
  let genVerifyDecl = 1;
}

#endif // LOWBIT_DIALECT_LOWBIT_IR_LOWBITATTRS_TD
