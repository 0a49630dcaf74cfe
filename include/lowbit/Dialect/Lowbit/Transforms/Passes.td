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

#endif // LOWBIT_DIALECT_LOWBIT_TRANSFORMS_PASSES_TD
