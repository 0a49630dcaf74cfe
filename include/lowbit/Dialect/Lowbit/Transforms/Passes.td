//===- Passes.td - lowbit dialect passes -------------------*- tablegen -*-===//

#ifndef LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_TD
#define LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowbitFuseDequantPass : Pass<"lowbit-fuse-dequant"> {
  let summary = "fuse dequantization into contractions, and element-wise "
                "consumers into the matmul epilogue";
  let description = [{
    Rewrites a `lowbit.dequantize` of 2-D weights that only feeds the weight
    operand of a float contraction (`linalg.matmul` with default or
    transposed-weight maps, `linalg.matvec`, `linalg.vecmat`,
    `linalg.batch_matmul` with broadcast weights, or a multiply-add
    `linalg.generic`/`linalg.contract`) into one `lowbit.matmul` on the
    quantized codes, accumulating in f32. A zero-filled init disappears; any
    other init `C` becomes an epilogue operand with the body `acc + c`.

    Then the only user of a `lowbit.matmul` result, an all-parallel linalg op
    (`linalg.generic`, `linalg.add`, `linalg.elementwise`, ...) that reads it
    once with the identity map and whose body is scalar `arith`/`math`, folds
    into the matmul's epilogue; its other inputs (identity maps: residuals;
    `(..., n) -> (n)`: bias-like rows) become epilogue operands.

    Anything else is left alone: dequantized values with other uses, weights
    that are not 2-D (per-batch weights), narrowing or integer contractions,
    results that need a transpose, matmul results with several users.

    ```mlir
    %w = lowbit.dequantize %q, %s scheme <group = [1, 32], scale = f16>
        : (tensor<16x64xsi4>, tensor<16x2xf16>) -> tensor<16x64xf32>
    %zero = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<4x16xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x16xf32>) -> tensor<4x16xf32>
    %y = linalg.matmul
        indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                         affine_map<(m, n, k) -> (n, k)>,
                         affine_map<(m, n, k) -> (m, n)>]
        ins(%x, %w : tensor<4x64xf32>, tensor<16x64xf32>)
        outs(%f : tensor<4x16xf32>) -> tensor<4x16xf32>
    %r = linalg.generic {
        indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>],
        iterator_types = ["parallel", "parallel"]}
        ins(%y : tensor<4x16xf32>) outs(%e : tensor<4x16xf32>) {
    ^bb0(%v: f32, %out: f32):
      %c0 = arith.constant 0.0 : f32
      %relu = arith.maximumf %v, %c0 : f32
      linalg.yield %relu : f32
    } -> tensor<4x16xf32>
    ```

    becomes

    ```mlir
    %r = lowbit.matmul %x, %q, %s scheme <group = [1, 32], scale = f16>
        transpose_b epilogue {
    ^bb0(%acc: f32):
      %c0 = arith.constant 0.0 : f32
      %relu = arith.maximumf %acc, %c0 : f32
      lowbit.yield %relu : f32
    } : (tensor<4x64xf32>, tensor<16x64xsi4>, tensor<16x2xf16>) -> tensor<4x16xf32>
    ```
  }];
  let dependentDialects = [
    "::lowbit::LowbitDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def LowbitLowerLutPass : Pass<"lowbit-lower-lut"> {
  let summary = "lower CPU matmuls to table lookups (T-MAC style)";
  let description = [{
    For every unpacked `lowbit.matmul` with `[N, K]` weights that the CPU
    lut kernels take (integer codes of any width 1..8 with every zero mode,
    and ternary; groups a multiple of 8), sets `strategy lut` and packs the
    weights as bit planes, `#lowbit.layout<bits = b, word = 32, planes =
    32>`: plane `i` holds bit `i` of every code, 32 rows interleaved per
    tile, so one 32-byte load gives the 4-bit table indexes of 32 output
    rows. The kernel (`lowbit-translate --emit-cpu`) builds, once per call
    and activation row, the 16 partial sums of every group of 4 activations
    (symmetrized: 8 stored, the other half by sign), quantized to int8 on
    vector ISAs (exact f32 in the scalar kernel), and replaces decode and
    multiply by one lookup per bit plane, shifted by the plane's weight and
    accumulated; docs/lut-kernels.md. Other matmuls are left alone (use
    `--lowbit-pack-weights` after this pass for them).

    ```mlir
    // After --lowbit-lower-lut="isa=avx2":
    %p = lowbit.pack %q layout <bits = 2, word = 32, planes = 32>
        : tensor<4096x14336xsi2> -> tensor<4096x896xi32>
    %y = lowbit.matmul %x, %p, %s scheme <group = [1, 64], scale = f16>
        transpose_b strategy lut packed si2 layout <bits = 2, word = 32, planes = 32>
        : ...
    ```
  }];
  let options = [
    Option<"isa", "isa", "std::string", /*default=*/"\"avx512\"",
           "CPU instruction set: avx512, avx2, neon or scalar">,
    Option<"group", "group", "int64_t", /*default=*/"4",
           "activations per table: 1, 2, 4 or 8 (the vector ISAs' int8 "
           "tables take 4)">,
    Option<"exact", "exact", "bool", /*default=*/"false",
           "keep the tables in f32 (the vector ISAs otherwise round them "
           "to int8)">,
  ];
  let dependentDialects = ["::lowbit::LowbitDialect"];
}

def LowbitPackWeightsPass : Pass<"lowbit-pack-weights"> {
  let summary = "pack matmul weights in the layout a target decodes cheaply";
  let description = [{
    For every `lowbit.matmul` whose weights are logical codes stored
    `[N, K]` (`transpose_b`), chooses the target's storage layout, packs the
    weights through `lowbit.pack` (folded at once when the weights are
    constant) and records the layout and the logical weight type on the
    matmul (`packed T layout <...>`), the form the emitters consume.

    CPU layout: `#lowbit.layout<bits = b, word = 32, aligned, lanes = L>`
    with `L` = 16 for `avx512` and `scalar`, 8 for `avx2`: one vector load of
    `L` words gives `32 / b` vectors of `L` consecutive weights, each one
    shift (and mask) away.

    CPU strategy (`strategy=`, else the matmul's own `strategy`, else
    `dequant`; docs/cpu-kernels.md): `int8-dot` packs bytes instead,
    `#lowbit.layout<bits = b, word = 8, aligned, lanes = 32>`, so one
    shift and mask give 32 consecutive codes as bytes, and sets
    `strategy int8_dot` on the matmul. `bf16-dot` (bf16 activations,
    avx512 or scalar) packs 16-bit words,
    `#lowbit.layout<bits = b, word = 16, aligned, lanes = 32>`, so one shift
    gives 32 consecutive codes in 16-bit lanes, and sets `strategy bf16_dot`.
    `auto` picks per matmul by a
    documented heuristic (docs/passes.md). A strategy that cannot handle a
    matmul's format or scheme is an error naming the reason; `auto` never
    picks one.

    ```mlir
    // Before:
    %y = lowbit.matmul %x, %q, %s scheme <group = [1, 128], scale = f16> transpose_b
        : (tensor<1x4096xf32>, tensor<4096x4096xsi4>, tensor<4096x32xf16>) -> tensor<1x4096xf32>
    // After --lowbit-pack-weights="isa=avx2":
    %p = lowbit.pack %q layout <bits = 4, word = 32, aligned, lanes = 8>
        : tensor<4096x4096xsi4> -> tensor<4096x512xi32>
    %y = lowbit.matmul %x, %p, %s scheme <group = [1, 128], scale = f16> transpose_b
        packed si4 layout <bits = 4, word = 32, aligned, lanes = 8>
        : (tensor<1x4096xf32>, tensor<4096x512xi32>, tensor<4096x32xf16>) -> tensor<1x4096xf32>
    ```

    GPU layout (`target=cuda` or `target=hip`, the same for both): for
    widths dividing 32, `#lowbit.layout<bits = b, word = 32, order = [...]>`
    with the pair interleave of each word (codes 0, 2, 4, ... in the low
    half-word and 1, 3, 5, ... in the high one, so one mask yields a pair of
    consecutive codes as the f16x2 register the tensor cores read); for
    3, 5, 6 and 7 bits a plain bit stream `#lowbit.layout<bits = b, word =
    32>`. Each lane of a GPU kernel loads whole 128-code chunks of one row
    with 16-byte loads (docs/gpu-kernels.md).

    Weights stored `[K, N]` are left alone (with a match-failure reason).
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu\"",
           "target whose layout to use: cpu, cuda or hip">,
    Option<"isa", "isa", "std::string", /*default=*/"\"avx512\"",
           "CPU instruction set: avx512, avx2 or scalar">,
    Option<"strategy", "strategy", "std::string", /*default=*/"\"\"",
           "CPU strategy: dequant, int8-dot, lut, bf16-dot or auto (default: the "
           "matmul's `strategy`, else dequant)">,
  ];
  let dependentDialects = ["::lowbit::LowbitDialect"];
}

def LowbitTileSearchPass : Pass<"lowbit-tile-search"> {
  let summary = "choose each matmul's schedule with the latency and energy "
                "cost model";
  let description = [{
    For every `lowbit.matmul` with static shapes, enumerates the legal
    schedules for the target (CPU: rows per decode, accumulators, K passes,
    threads; GPU: tiles per warp, warps along N and K, split K), prunes them
    by registers, prices each with the cost model on the hardware
    description, and records the pick of the objective as a
    `lowbit.schedule` dictionary on the op, which `lowbit-translate` reads:

    ```mlir
    %y = lowbit.matmul ... {lowbit.schedule = {acc = 4 : i64, energy_uj = 74.5 : f64,
        kblock = 0 : i64, objective = "latency", rows = 1 : i64,
        source = "model", target = "cpu-avx2", threads = 2 : i64,
        time_us = 1520.3 : f64}}
    ```

    With `db=FILE`, a schedule stored there for the same target, hardware,
    objective and op signature (by `lowbit-tune`) is used instead of
    searching (`source = "db"`). M comes from the activations' static shape,
    or `m=` when the op's M is dynamic. docs/tuning.md describes the model.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"cpu-avx512\"",
           "cpu-avx512, cpu-avx2, cpu-scalar, cuda or hip">,
    Option<"hardware", "hardware", "std::string", /*default=*/"\"\"",
           "built-in description (zen1-2core, a100, h100, h200, mi250, "
           "mi300x) or an .mlir file; default zen1-2core for CPUs, h100 for "
           "cuda, mi300x for hip">,
    Option<"objective", "objective", "std::string", /*default=*/"\"latency\"",
           "latency, energy, edp or energy-within=<percent>">,
    Option<"db", "db", "std::string", /*default=*/"\"\"",
           "tuning database to read schedules from">,
    Option<"m", "m", "int64_t", /*default=*/"0",
           "rows of activations to tune for when M is dynamic">,
  ];
  let dependentDialects = ["::lowbit::LowbitDialect"];
}

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_TD
